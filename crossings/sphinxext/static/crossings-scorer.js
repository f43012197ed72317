// Crossings search ranking (html_search_scorer: Sphinx puts this in language_data.js,
// before searchtools.js). Sphinx's default weights, plus one rule: for a word, the page
// that explains it (the glossary, a module page) ranks above the exercises and handouts
// that use it.
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    if (docname === "book/glossary" || /^modules\//.test(docname)) return score + 20;
    if (/^exercises\//.test(docname) || /\/handouts\//.test(docname)) return score - 10;
    return score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
