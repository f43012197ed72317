// Crossings: each search result shows the sentence of the page's text that holds the word,
// with the word marked (Sphinx showed 240 characters of the whole page, menus and headings
// included, cut at arbitrary points). Search page only, loaded after searchtools.js.
(() => {
  const MAX = 320;
  const BLOCKS = "p, dd, li, td";
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  const blocksOf = (htmlText, anchor) => {
    const doc = new DOMParser().parseFromString(htmlText, "text/html");
    doc.querySelectorAll(".headerlink, script, style, .toctree-wrapper").forEach((e) => e.remove());
    const article = doc.querySelector("article.bd-article") || doc.querySelector('[role="main"]')
      || doc.body;
    const blocks = [...article.querySelectorAll(BLOCKS)].filter((b) => !b.querySelector(BLOCKS));
    const target = anchor ? doc.getElementById(anchor.replace(/^#/, "")) : null;
    if (target && target.tagName === "DT") {
      // a glossary term: "Term: the first sentence of its definition"
      let definition = target;
      while (definition.tagName === "DT" && definition.nextElementSibling) {
        definition = definition.nextElementSibling;
      }
      const first = (definition.textContent.replace(/\s+/g, " ").trim()
        .match(/[^.!?]+[.!?]*/) || [""])[0].trim();
      return [{ textContent: `${target.textContent.trim()}: ${first}` }];
    }
    if (target && article.contains(target)) {
      // the part of the page the result points to comes first
      const inside = blocks.filter((b) => target.contains(b)
        || (target.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING));
      return [...inside, ...blocks];
    }
    return blocks;
  };

  // the first text holding the most of the searched words
  const best = (texts, keys) => {
    const hits = (t) => keys.filter((k) => t.toLowerCase().includes(k)).length;
    return texts.reduce((a, b) => (hits(b) > hits(a) ? b : a), texts[0]);
  };

  const sentenceWith = (text, keys) => {
    const sentences = text.match(/[^.!?]+(?:[.!?]+["')\]]*|$)/g) || [text];
    let sentence = best(sentences, keys).trim();
    if (sentence.length > MAX) {
      const hits = keys.map((k) => sentence.toLowerCase().indexOf(k)).filter((i) => i >= 0);
      const at = Math.max(0, (hits.length ? Math.min(...hits) : 0) - 100);
      sentence = (at ? "… " : "") + sentence.substr(at, MAX).trim() + " …";
    }
    return sentence;
  };

  const summary = (htmlText, keywords, anchor) => {
    const keys = [...keywords].map((k) => k.toLowerCase()).filter((k) => k.length > 1);
    const texts = blocksOf(htmlText, anchor)
      .map((b) => b.textContent.replace(/\s+/g, " ").trim()).filter(Boolean);
    if (!texts.length) return null;
    const text = best(texts, keys);
    const sentence = sentenceWith(text, keys);
    const p = document.createElement("p");
    p.classList.add("context");
    const pattern = keys.length ? new RegExp(`[\\w-]*(?:${keys.map(escape).join("|")})[\\w-]*`, "gi")
      : null;
    let last = 0;
    for (const match of pattern ? sentence.matchAll(pattern) : []) {
      p.append(sentence.slice(last, match.index));
      const mark = document.createElement("mark");
      mark.textContent = match[0];
      p.append(mark);
      last = match.index + match[0].length;
    }
    p.append(sentence.slice(last));
    return p;
  };

  if (typeof Search !== "undefined") Search.makeSearchSummary = summary;
})();
