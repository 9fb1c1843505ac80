/** How many articles a page of the home page or of a topic lists. */
export const PAGE_SIZE = 20;

/** How many recent articles the not-found page offers. */
export const NOT_FOUND_RECENT = 5;
