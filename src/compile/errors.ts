/** Why a file (or files that clash) cannot be published: the build prints it as one line and stops. */
export class ContentError extends Error {
  readonly files: string[];
  constructor(
    /** Path(s) relative to the seeds folder. */
    files: string | string[],
    readonly reason: string,
  ) {
    const list = typeof files === "string" ? [files] : files;
    super(`${list.join(", ")}: ${reason}`);
    this.name = "ContentError";
    this.files = list;
  }

  /** The one-line message with every path placed under `folder`. */
  lineFor(folder: string): string {
    return `${this.files.map((f) => `${folder}/${f}`).join(", ")}: ${this.reason}`;
  }
}

/** Every file that cannot be published, one line each, so one build shows them all. */
export class ContentErrors extends Error {
  constructor(readonly errors: ContentError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "ContentErrors";
  }
}

/**
 * A write the archive refuses because another article already holds what it asks for (a
 * slug, a feed id): the publishing API answers 409 Conflict with the reason.
 */
export class ArticleConflict extends Error {
  constructor(
    /** The one-line reason, naming the article that holds it. */
    readonly reason: string,
  ) {
    super(reason);
    this.name = "ArticleConflict";
  }
}
