// Loads a tokenizer.json with Hugging Face's @huggingface/tokenizers and encodes texts, so Lodestar's
// interop test can compare ids. Usage: node encode.mjs TOKENIZER_JSON TEXTS_JSON  (texts: a JSON array of strings).
// Prints one JSON object: {"ids": [[...], ...], "decoded": ["...", ...]}.
import { readFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";

const [tokenizerPath, textsPath] = process.argv.slice(2);
if (!tokenizerPath || !textsPath) {
  console.error("usage: node encode.mjs TOKENIZER_JSON TEXTS_JSON");
  process.exit(2);
}
const tokenizerJson = JSON.parse(readFileSync(tokenizerPath, "utf8"));
const texts = JSON.parse(readFileSync(textsPath, "utf8"));
const tokenizer = new Tokenizer(tokenizerJson, { clean_up_tokenization_spaces: false });
const ids = texts.map((text) => tokenizer.encode(text, { add_special_tokens: false }).ids);
const decoded = ids.map((row) => (row.length === 0 ? "" : tokenizer.decode(row, { clean_up_tokenization_spaces: false })));
process.stdout.write(JSON.stringify({ ids, decoded }));
