import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CsvSyntaxError, csvField, csvRecord, parseCsv } from "../../src/wire/csv.js";
import { linkBodyFromCsv, linkCsvHeader } from "../../src/wire/link-csv.js";

const fieldsOf = (text: string) => parseCsv(text).map((record) => record.fields);

describe("reading CSV", () => {
  test("reads back every record the CSV writer writes, whatever its fields hold", () => {
    const records = [
      ["plain", "with, comma", 'with "quotes"', "line\r\nbreak", "lf\nonly", ""],
      ["", "", "", "", "", "last"],
      ["ünïcødé ✓", " spaced ", '"', ",", "\r", "x"],
    ];
    assert.deepEqual(fieldsOf(records.map(csvRecord).join("")), records);
  });

  test("a byte-order mark is dropped; LF, CR or nothing ends a record; blank lines are skipped", () => {
    assert.deepEqual(fieldsOf("\uFEFFa,b\nc,d\re,f\n\n\r\ng,h"), [
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
      ["g", "h"],
    ]);
    assert.deepEqual(fieldsOf(""), []);
    assert.deepEqual(fieldsOf("a,"), [["a", ""]]);
  });

  test("each record knows the line it starts on, past quoted line breaks", () => {
    const records = parseCsv('h1,h2\r\n"two\r\nlines",x\r\n\r\nnext,y\n"a\nb\nc",z\n');
    assert.deepEqual(
      records.map((record) => record.line),
      [1, 2, 5, 6],
    );
  });

  test("a quoted field never closed is an error naming its record's line", () => {
    assert.throws(
      () => parseCsv('a,b\nc,"d\ne'),
      (error: unknown) => {
        assert.ok(error instanceof CsvSyntaxError);
        assert.match(error.message, /line 2/);
        return true;
      },
    );
  });
});

describe("a CSV row as a link", () => {
  const header = linkCsvHeader([
    "URL",
    "key",
    "tags",
    "tagIds",
    "archived",
    "trackConversion",
    "clicks",
    "id",
  ]);

  test("columns are the Link JSON's keys, whatever their case; the others are named as ignored", () => {
    assert.deepEqual(header.columns, [
      "url",
      "key",
      "tags",
      "tagIds",
      "archived",
      "trackConversion",
      null,
      null,
    ]);
    assert.deepEqual(header.ignored, ["clicks", "id"]);
  });

  test("empty cells are keys not sent; tags are names split on |, booleans true/false/1/0/yes/no", () => {
    assert.deepEqual(
      linkBodyFromCsv(header.columns, [
        "https://a.example",
        "",
        " Spring | launch |",
        "",
        "yes",
        "0",
        "7",
        "x",
      ]),
      {
        body: {
          url: "https://a.example",
          tagNames: ["Spring", "launch"],
          archived: true,
          trackConversion: false,
        },
      },
    );
    assert.deepEqual(linkBodyFromCsv(header.columns, ["https://a.example", "", "", "", "maybe"]), {
      error: 'archived: "maybe" is not true or false',
    });
  });

  test("tags and tagIds also read as the Link's own JSON: names, ids or tag objects", () => {
    const tags = [
      { id: "tag_1", name: "Spring", color: "green" },
      { id: "tag_2", name: "A|B", color: "red" },
    ];
    assert.deepEqual(
      linkBodyFromCsv(header.columns, ["https://a.example", "k", csvField(tags), csvField(tags)]),
      {
        body: { url: "https://a.example", key: "k", tagNames: ["Spring", "A|B"], tagIds: ["tag_1", "tag_2"] },
      },
    );
    assert.deepEqual(linkBodyFromCsv(header.columns, ["https://a.example", "", '["x","y"]']), {
      body: { url: "https://a.example", tagNames: ["x", "y"] },
    });
    assert.deepEqual(linkBodyFromCsv(header.columns, ["https://a.example", "", "[1,2]"]), {
      error: 'tags: "[1,2]" is not a list of tags',
    });
  });

  test("a row with more fields than the header names is refused, unless they are empty", () => {
    const columns = linkCsvHeader(["url"]).columns;
    assert.deepEqual(linkBodyFromCsv(columns, ["https://a.example", ""]), {
      body: { url: "https://a.example" },
    });
    assert.deepEqual(linkBodyFromCsv(columns, ["https://a.example", "extra"]), {
      error: "2 fields, but the header names 1 columns",
    });
  });
});
