/** Most items a connection returns in one page (`first` or `last`). */
export const MAX_PAGE_SIZE = 100;

/** Items in a page when the caller gives neither `first` nor `last`. */
export const DEFAULT_PAGE_SIZE = 20;
