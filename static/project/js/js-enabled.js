// GOV.UK Frontend styles components differently once script runs; kept out of the page so a
// Content Security Policy can forbid inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
