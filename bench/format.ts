/** How the report writes numbers: grouped for reading (en-US), to a fixed number of digits so that columns line up. */
export const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A ratio, as the report's ratio columns write it. */
export const ratio = (n: number) => `${fmt(n, 2)}×`;
