// Starts GOV.UK Frontend's components (error summary focus, character counts, and so on).
import { initAll } from "./govuk-frontend.min.js";

initAll();
