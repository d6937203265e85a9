// The tone coach beside any text box where a parent writes to the other (web/_tone_coach.html;
// the box — a textarea or a one-line input — is marked data-tone-coach by its form). As the parent types, it asks POST /api/v1/tone —
// with the logged-in session and Django's CSRF token from the box's form — how the text will
// land, and shows the advice in the box's own panel: the level, each flagged span with why and
// a calmer phrasing, supportive wording, the nudge toward brevity, and a calmer version of the
// whole text. Under the box, a read-only copy of the text marks the flagged words. A page may
// hold several coached boxes; each has its own panel, mirror, pause and request.
//
// Advice only: it never blocks sending and never changes the text unless the person clicks
// "Use this version". Without this script the form works as before. The person's text only
// ever enters the page as textContent.
"use strict";
(() => {
  // web/_tone_coach.html adds this script once per coached box: the first copy does the work.
  if (window.coparentToneCoach) return;
  window.coparentToneCoach = true;

  const QUIET_MS = 400; // ask once typing pauses this long, not on every key
  const NOT_WARNINGS = new Set(["supportive", "length"]);

  const slot = (root, name) => root.querySelector(`[data-slot="${name}"]`);

  function setSlot(root, name, value) {
    const target = slot(root, name);
    if (target) target.textContent = value;
  }

  // A block of the skeleton holds one pattern item; it is copied once per entry, or the whole
  // block goes when there is nothing to list.
  function fillBlock(node, block, item, entries, fill) {
    const holder = node.querySelector(`[data-block="${block}"]`);
    if (!holder) return;
    if (!entries.length) {
      holder.remove();
      return;
    }
    const pattern = holder.querySelector(`[data-item="${item}"]`);
    const list = pattern.parentNode;
    pattern.remove();
    for (const entry of entries) {
      const copy = pattern.cloneNode(true);
      fill(copy, entry);
      list.append(copy);
    }
  }

  function adviceNode(skeleton, verdict) {
    const node = skeleton.cloneNode(true);
    const flags = verdict.flags || [];
    node.classList.add(`level-${verdict.level}`);
    for (const line of node.querySelectorAll("[data-level]")) {
      if (line.dataset.level !== verdict.level) line.remove();
    }
    fillBlock(node, "warnings", "warning", flags.filter((f) => !NOT_WARNINGS.has(f.kind)), (li, f) => {
      setSlot(li, "text", f.text);
      setSlot(li, "why", f.why);
      setSlot(li, "suggestion", f.suggestion);
      li.dataset.kind = f.kind;
    });
    fillBlock(node, "supportive", "supportive", flags.filter((f) => f.kind === "supportive"), (li, f) =>
      setSlot(li, "text", f.text),
    );
    const length = flags.find((f) => f.kind === "length");
    const nudge = node.querySelector('[data-block="length"]');
    if (nudge && length) {
      setSlot(nudge, "why", length.why);
      setSlot(nudge, "suggestion", length.suggestion);
    } else if (nudge) {
      nudge.remove();
    }
    const rewrite = node.querySelector('[data-block="rewrite"]');
    if (rewrite && verdict.rewrite) {
      setSlot(rewrite, "rewrite", verdict.rewrite);
      rewrite.querySelector("[data-tone-use]").hidden = false;
    } else if (rewrite) {
      rewrite.remove();
    }
    return node;
  }

  // [start, end) spans in code points (the API's offsets are Python str indices): warnings
  // merged where they overlap, supportive wording where no warning is.
  function markedSpans(flags) {
    const warnings = flags
      .filter((f) => !NOT_WARNINGS.has(f.kind))
      .map((f) => [f.start, f.end])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const merged = [];
    for (const [start, end] of warnings) {
      const last = merged[merged.length - 1];
      if (last && start <= last.end) last.end = Math.max(last.end, end);
      else merged.push({ start, end, good: false });
    }
    const good = flags
      .filter((f) => f.kind === "supportive")
      .filter((f) => !merged.some((w) => f.start < w.end && w.start < f.end))
      .map((f) => ({ start: f.start, end: f.end, good: true }));
    return merged.concat(good).sort((a, b) => a.start - b.start);
  }

  function fillMirror(mirror, label, text, flags) {
    const spans = markedSpans(flags);
    mirror.replaceChildren();
    if (!spans.length) {
      mirror.hidden = true;
      return;
    }
    const caption = document.createElement("span");
    caption.className = "tone-mirror-label";
    caption.textContent = label;
    mirror.append(caption);
    const points = Array.from(text); // walks code points, as the offsets count them
    let at = 0;
    for (const span of spans) {
      if (span.start < at) continue;
      if (span.start > at) mirror.append(points.slice(at, span.start).join(""));
      const mark = document.createElement("mark");
      if (span.good) mark.className = "tone-good";
      mark.textContent = points.slice(span.start, span.end).join("");
      mirror.append(mark);
      at = span.end;
    }
    if (at < points.length) mirror.append(points.slice(at).join(""));
    mirror.hidden = false;
  }

  function start(coach) {
    const box = document.getElementById(coach.dataset.toneFor);
    const template = document.getElementById(coach.dataset.toneTemplate);
    const csrf = box && box.form && box.form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!box || !template || !csrf || !window.fetch || !window.AbortController) return;
    const skeleton = template.content.firstElementChild;

    // The copy of the text with the flagged words marked, right under the box. Hidden from
    // screen readers: the advice above lists the same words, with their reasons.
    const mirror = document.createElement("div");
    mirror.className = "tone-mirror";
    mirror.hidden = true;
    mirror.setAttribute("aria-hidden", "true");
    box.insertAdjacentElement("afterend", mirror);

    let timer = null;
    let pending = null; // the AbortController of the request in flight
    let shown = ""; // the verdict on screen, so an unchanged one is not announced again

    function clear() {
      coach.replaceChildren();
      mirror.replaceChildren();
      mirror.hidden = true;
      shown = "";
    }

    async function ask() {
      timer = null;
      const text = box.value;
      if (pending) pending.abort();
      pending = null;
      if (!text.trim()) {
        clear();
        return;
      }
      const mine = new AbortController();
      pending = mine;
      let reply;
      try {
        reply = await fetch(coach.dataset.toneUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "X-CSRFToken": csrf.value,
          },
          body: JSON.stringify({ text }),
          signal: mine.signal,
        });
      } catch (error) {
        return; // offline, or overtaken by newer text: the advice waits for the next pause
      }
      if (reply.status === 429) {
        // Typing very fast for a long time: ask again when the server says it may.
        const wait = Number(reply.headers.get("Retry-After")) || 10;
        if (pending === mine && !timer) timer = window.setTimeout(ask, wait * 1000);
        return;
      }
      if (!reply.ok) return;
      let verdict;
      try {
        verdict = await reply.json();
      } catch (error) {
        return;
      }
      // Only the answer about the text still in the box is shown.
      if (pending !== mine || box.value !== text) return;
      pending = null;
      const key = JSON.stringify(verdict);
      if (key !== shown) {
        coach.replaceChildren(adviceNode(skeleton, verdict));
        shown = key;
      }
      fillMirror(mirror, coach.dataset.mirrorLabel || "", text, verdict.flags || []);
    }

    box.addEventListener("input", () => {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(ask, QUIET_MS);
    });

    // "Use this version": the only way the coach changes the text, and only when clicked.
    coach.addEventListener("click", (event) => {
      const button = event.target.closest("[data-tone-use]");
      if (!button || !coach.contains(button)) return;
      event.preventDefault();
      const holder = button.closest('[data-block="rewrite"]');
      const rewrite = holder && slot(holder, "rewrite");
      if (!rewrite) return;
      box.value = rewrite.textContent;
      box.focus();
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });

    // Advice the server rendered ("Check the tone") gets its button; text already in the box
    // (a check, or the browser restoring a draft) is checked at once.
    for (const button of coach.querySelectorAll("[data-tone-use]")) button.hidden = false;
    if (box.value.trim()) ask();
  }

  // Each panel names its text box (data-tone-for): the pair is what the include rendered.
  document.addEventListener("DOMContentLoaded", () => {
    for (const coach of document.querySelectorAll(".tone-coach[data-tone-for]")) start(coach);
  });
})();
