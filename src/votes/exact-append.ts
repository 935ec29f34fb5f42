/**
 * `list` with `x` appended, for the short per-vote and per-voter lists (callback ids, live votes): a
 * new array of the exact size while it holds up to three (a push onto a small literal reserves 17
 * slots), a push beyond. `list` may be a shared frozen empty list; callers store the result.
 */
export function appendExact<T>(list: T[], x: T): T[] {
  switch (list.length) {
    case 0: return [x];
    case 1: return [list[0] as T, x];
    case 2: return [list[0] as T, list[1] as T, x];
    default:
      list.push(x);
      return list;
  }
}
