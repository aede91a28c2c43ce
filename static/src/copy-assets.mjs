// Copies GOV.UK Frontend's images and script from node_modules into static/build at set-up,
// so third-party files are installed from the registry, never committed.
import { cpSync, mkdirSync } from "node:fs";

const from = "node_modules/govuk-frontend/dist/govuk";
mkdirSync("static/build/govuk/assets", { recursive: true });
cpSync(`${from}/assets/images`, "static/build/govuk/assets/images", { recursive: true });
cpSync(`${from}/assets/manifest.json`, "static/build/govuk/assets/manifest.json");
cpSync(`${from}/govuk-frontend.min.js`, "static/build/govuk/govuk-frontend.min.js");
// The service's own icon (drawn for this project, kept in static/src).
cpSync("static/src/favicon.svg", "static/build/favicon.svg");
cpSync("static/src/favicon.ico", "static/build/favicon.ico");
