// Reference speed for `lodestar tokenizer bench`: encodes a corpus (one encode call per non-empty line)
// with Hugging Face's JavaScript tokenizer on one thread. Usage: node bench.mjs TOKENIZER_JSON CORPUS [SECONDS]
// Prints one JSON object: {"implementation": "@huggingface/tokenizers", "mb_per_s": ..., "tokens_per_s": ...}.
import { readFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";

const [tokenizerPath, corpusPath, secondsArg] = process.argv.slice(2);
if (!tokenizerPath || !corpusPath) {
  console.error("usage: node bench.mjs TOKENIZER_JSON CORPUS [SECONDS]");
  process.exit(2);
}
const tokenizer = new Tokenizer(JSON.parse(readFileSync(tokenizerPath, "utf8")), {});
const lines = readFileSync(corpusPath, "utf8").split("\n").filter((line) => line.length > 0);
const bytesPerPass = lines.reduce((sum, line) => sum + Buffer.byteLength(line, "utf8"), 0);
const encodeAll = () => lines.reduce((sum, line) => sum + tokenizer.encode(line, { add_special_tokens: false }).ids.length, 0);
encodeAll();
const minSeconds = Number(secondsArg ?? 3);
let passes = 0;
let tokens = 0;
const start = process.hrtime.bigint();
let seconds = 0;
do {
  tokens += encodeAll();
  passes += 1;
  seconds = Number(process.hrtime.bigint() - start) / 1e9;
} while (seconds < minSeconds);
process.stdout.write(JSON.stringify({ implementation: "@huggingface/tokenizers", mb_per_s: (bytesPerPass * passes) / 1e6 / seconds, tokens_per_s: tokens / seconds, passes }) + "\n");
