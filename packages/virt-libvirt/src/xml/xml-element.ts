/** A node of an XML document being built: an element, or text. */
export type XmlNode = XmlElement | string;

/** An XML element with attributes (undefined values are left out) and children. */
export interface XmlElement {
  /** The element's tag. */
  readonly name: string;
  /** Its attributes. */
  readonly attrs: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Its child elements and text. */
  readonly children: readonly XmlNode[];
}

/** Builds an element; children that are null, undefined or false are dropped (for conditional parts). */
export function el(
  name: string,
  attrs: XmlElement["attrs"] = {},
  ...children: Array<XmlNode | readonly XmlNode[] | null | undefined | false>
): XmlElement {
  const flat: XmlNode[] = [];
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) flat.push(...(child as XmlNode[]));
    else flat.push(child as XmlNode);
  }
  return { name, attrs, children: flat };
}

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** Serialises with two-space indentation; an element holding only text stays on one line. */
export function renderXml(node: XmlElement, indent = ""): string {
  const attrs = Object.entries(node.attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("");
  if (node.children.length === 0) return `${indent}<${node.name}${attrs}/>`;
  if (node.children.every((c) => typeof c === "string")) {
    return `${indent}<${node.name}${attrs}>${escapeXml(node.children.join(""))}</${node.name}>`;
  }
  const inner = node.children
    .map((c) => (typeof c === "string" ? `${indent}  ${escapeXml(c)}` : renderXml(c, `${indent}  `)))
    .join("\n");
  return `${indent}<${node.name}${attrs}>\n${inner}\n${indent}</${node.name}>`;
}
