import { describe, expect, it } from "vitest";
import { tagListNames, tagListPrimitive } from "./tag-list.js";

describe("TagList primitives", () => {
  it("round-trips tag names and reads nothing from what is not a TagList", () => {
    expect(tagListNames(tagListPrimitive(["b", "a"]))).toEqual(["b", "a"]);
    expect(tagListPrimitive([])["nova_object.name"]).toBe("TagList");
    expect(tagListNames(null)).toEqual([]);
    expect(tagListNames({ "nova_object.data": { objects: [{ "nova_object.data": { tag: 7 } }] } })).toEqual(
      [],
    );
  });
});
