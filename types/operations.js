"use strict";
// Pagination helpers of the original (no operation of this API pages).

const URL_OVERRIDE = Symbol("URL_OVERRIDE");

function createPageIterator(page, halt) {
  return {
    [Symbol.asyncIterator]: async function* paginator() {
      yield page;
      if (halt(page)) return;
      for (let p = await page.next(); p != null; p = await p.next()) {
        yield p;
        if (halt(p)) return;
      }
    },
  };
}

function haltIterator(v) {
  return {
    ...v,
    next: () => null,
    [Symbol.asyncIterator]: async function* paginator() {
      yield v;
    },
  };
}

function unwrapPaginator(paginator) {
  return () => {
    const next = paginator();
    if (next == null) return null;
    return next.then((res) => {
      if (!res.ok) throw res.error;
      return { ...res.value, next: unwrapPaginator(res.next) };
    });
  };
}

async function unwrapResultIterator(iteratorPromise) {
  const iter = await iteratorPromise;
  if (!iter.ok) throw iter.error;
  return {
    ...iter.value,
    next: unwrapPaginator(iter.next),
    "~next": iter["~next"],
    [Symbol.asyncIterator]: async function* paginator() {
      for await (const page of iter) {
        if (!page.ok) throw page.error;
        yield page.value;
      }
    },
  };
}

module.exports = { createPageIterator, haltIterator, unwrapResultIterator, URL_OVERRIDE };
