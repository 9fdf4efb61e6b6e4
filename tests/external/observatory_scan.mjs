// Score one page with the MDN HTTP Observatory's own retriever, analysers and grader.
// Its CLI scans only ports 80/443 and replaces NODE_EXTRA_CA_CERTS, so this calls
// retrieve() with the ports and path, then grades exactly as its scan() does.
// Usage: node observatory_scan.mjs <package dir> <host> <http port> <https port> <path>
import path from "node:path";
import { pathToFileURL } from "node:url";

const [root, host, httpPort, httpsPort, pagePath] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(root, "src", file)).href);
const { retrieve } = await load("retriever/retriever.js");
const { ALL_TESTS, NUM_TESTS } = await load("constants.js");
const { getGradeForScore, getScoreModifier } = await load("grader/grader.js");
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await load("grader/charts.js");

const retrieved = await retrieve(host, {
  httpPort: Number(httpPort),
  httpsPort: Number(httpsPort),
  path: pagePath,
});
if (!retrieved.responses.auto) {
  console.error(`cannot reach https://${host}:${httpsPort}${pagePath}`);
  process.exit(2);
}
let withExtraCredit = 100;
let uncurved = 100;
let passed = 0;
const tests = {};
for (const result of ALL_TESTS.map((test) => test(retrieved))) {
  const modifier = result.result ? getScoreModifier(result.result) : 0;
  if (result.result) {
    passed += result.pass ? 1 : 0;
    withExtraCredit += modifier;
    if (modifier < 0) uncurved += modifier;
  }
  tests[result.constructor.name] = { result: result.result, pass: result.pass, modifier };
}
const final = getGradeForScore(
  uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtraCredit : uncurved
);
console.log(
  JSON.stringify({
    grade: final.grade,
    score: final.score,
    status: retrieved.responses.auto.status,
    verified: retrieved.responses.auto.verified ?? null,
    passed,
    total: NUM_TESTS,
    tests,
  })
);
