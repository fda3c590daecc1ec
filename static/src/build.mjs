// Builds static/dist: our Sass (GOV.UK Frontend with Arial and our own brand) and the
// GOV.UK Frontend JavaScript module. Run through `npm run build`.
import { compile } from "sass";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = join(root, "static", "dist");
mkdirSync(dist, { recursive: true });

const css = compile(join(root, "static", "src", "scss", "portal.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["mixed-decls", "import", "global-builtin", "slash-div"],
});
writeFileSync(join(dist, "portal.css"), css.css);

const frontend = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
copyFileSync(join(frontend, "govuk-frontend.min.js"), join(dist, "govuk-frontend.min.js"));
for (const name of ["portal.mjs", "supported.js", "document-status.mjs", "autosave.js", "return-totals.js"]) {
  copyFileSync(join(root, "static", "src", "js", name), join(dist, name));
}
console.log(`static/dist built: portal.css ${css.css.length} bytes, govuk-frontend.min.js`);
