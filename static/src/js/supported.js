// Loaded synchronously at the top of <body> (no inline script, so the CSP needs no exception).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
