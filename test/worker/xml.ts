import { SaxesParser } from "saxes";

/** Throws unless `xml` is a well-formed XML 1.0 document (saxes checks characters, names, escapes). */
export function assertWellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: true, position: true });
  let error: Error | null = null;
  parser.on("error", (e) => {
    error ??= e;
  });
  parser.write(xml).close();
  if (error) throw error;
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlElement[];
}

/** A small DOM of a well-formed document, by qualified names, for exact assertions. */
export function parseXml(xml: string): XmlElement {
  assertWellFormed(xml);
  const parser = new SaxesParser({ xmlns: false });
  const root: XmlElement = { name: "#document", attributes: {}, text: "", children: [] };
  const stack = [root];
  parser.on("opentag", (tag) => {
    const el: XmlElement = { name: tag.name, attributes: { ...(tag.attributes as Record<string, string>) }, text: "", children: [] };
    stack.at(-1)!.children.push(el);
    stack.push(el);
  });
  parser.on("text", (t) => {
    stack.at(-1)!.text += t;
  });
  parser.on("cdata", (t) => {
    stack.at(-1)!.text += t;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(xml).close();
  return root.children[0]!;
}

export function child(el: XmlElement, name: string): XmlElement {
  const found = el.children.find((c) => c.name === name);
  if (!found) throw new Error(`<${el.name}> has no <${name}>`);
  return found;
}

export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
