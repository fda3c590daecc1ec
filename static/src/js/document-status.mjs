// Keeps a generated document's status page up to date without a reload. It polls the page's JSON
// twin, announces changes through the page's aria-live region, and when the document is finished
// swaps in the server-rendered details (the download link or the retry button). Without JavaScript
// the page's "Refresh this page" link does the same job.
const root = document.querySelector("[data-document-status-url]");

if (root && !["ready", "failed"].includes(root.dataset.documentStatus)) {
  const statusUrl = root.dataset.documentStatusUrl;
  const message = root.querySelector("#document-status-message");
  let lastStatus = root.dataset.documentStatus;
  let delay = 1500;
  let polls = 0;

  const refreshDetails = async () => {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    if (!response.ok) return;
    const html = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = html.querySelector("#document-details");
    const current = root.querySelector("#document-details");
    if (fresh && current) current.replaceWith(fresh);
  };

  const poll = async () => {
    polls += 1;
    try {
      const response = await fetch(statusUrl, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      const data = await response.json();
      if (data.status !== lastStatus) {
        lastStatus = data.status;
        root.dataset.documentStatus = data.status;
        const tag = root.querySelector("#document-status-tag");
        if (tag) {
          tag.textContent = data.label;
          tag.className = `govuk-tag ${data.tag_class}`;
        }
        if (data.finished) await refreshDetails();
        if (message) message.textContent = data.message;
      }
      if (data.finished) return;
    } catch (error) {
      // A network blip: keep trying, more slowly. The refresh link still works.
      delay = Math.min(delay * 2, 30000);
    }
    if (polls > 20) delay = Math.min(Math.max(delay, 5000), 30000);
    window.setTimeout(poll, delay);
  };

  window.setTimeout(poll, delay);
}
