import { describe, expect, it } from "vitest";
import { cellText, renderFields, renderList, renderTable } from "./table.js";

describe("table rendering", () => {
  it("draws openstackclient's bordered tables, columns as wide as their widest cell", () => {
    expect(
      renderTable(
        ["ID", "Name"],
        [
          ["1", "m1.tiny"],
          ["42", "x"],
        ],
      ),
    ).toBe(
      [
        "+----+---------+",
        "| ID | Name    |",
        "+----+---------+",
        "| 1  | m1.tiny |",
        "| 42 | x       |",
        "+----+---------+",
        "",
      ].join("\n"),
    );
  });

  it("spreads cells with newlines over several lines and counts code points, not UTF-16 units", () => {
    const text = renderTable(
      ["Field", "Value"],
      [
        ["fault", "line one\nl2"],
        ["name", "café😀"],
      ],
    );
    expect(text.split("\n")).toEqual([
      "+-------+----------+",
      "| Field | Value    |",
      "+-------+----------+",
      "| fault | line one |",
      "|       | l2       |",
      "| name  | café😀    |",
      "+-------+----------+",
      "",
    ]);
  });

  it("shows only the header of an empty list", () => {
    expect(renderList([], [{ header: "ID", value: (x: { id: string }) => x.id }])).toBe(
      "+----+\n| ID |\n+----+\n",
    );
  });

  it("turns values into cells: empty for null, joined plain arrays, JSON for objects", () => {
    expect(cellText(null)).toBe("");
    expect(cellText(undefined)).toBe("");
    expect(cellText(false)).toBe("false");
    expect(cellText(512)).toBe("512");
    expect(cellText(["a", "b"])).toBe("a, b");
    expect(cellText({ private: [{ addr: "10.0.0.3" }] })).toBe('{"private":[{"addr":"10.0.0.3"}]}');
  });

  it("shows an object's fields sorted by name", () => {
    const rows = renderFields({ status: "ACTIVE", id: "abc", name: "web" }).split("\n").slice(3, 6);
    expect(rows).toEqual(["| id     | abc    |", "| name   | web    |", "| status | ACTIVE |"]);
  });
});
