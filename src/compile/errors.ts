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
