// The playground's e-mail pane: the mail the bot sent to a pretend NGO member, invitations and replies.
// Every text from the server is put in the page with textContent, never as HTML.
(() => {
  const pane = document.getElementById("mail-pane");
  if (!pane) return;
  const say = JSON.parse(document.getElementById("mail-messages").textContent);
  const lang = pane.lang || "pl";
  const address = document.getElementById("mail-address");
  const list = document.getElementById("mail-list");
  const status = document.getElementById("mail-status");
  const process = document.getElementById("mail-process");
  let shownFor = null;
  const shown = new Set();
  let counter = 0;

  const post = async (path, body) => {
    const response = await fetch(`${path}?lang=${lang}`, {
      method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({ok: false, message: say.failed}));
    if (!response.ok || !answer.ok) throw new Error(answer.message || say.failed);
    return answer;
  };

  const field = (dl, term, value) => {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    dl.append(dt, dd);
  };

  const item = mail => {
    const li = document.createElement("li");
    const article = document.createElement("article");
    const heading = document.createElement("h3");
    heading.textContent = mail.subject;
    const dl = document.createElement("dl");
    field(dl, say.from, mail.from);
    field(dl, say.to, mail.to);
    field(dl, say.date, mail.date);
    const body = document.createElement("pre");
    body.textContent = mail.text;
    const form = document.createElement("form");
    form.className = "mail-reply";
    const id = `mail-reply-${++counter}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = say.reply_label;
    const text = document.createElement("textarea");
    text.id = id;
    text.rows = 3;
    text.required = true;
    const send = document.createElement("button");
    send.type = "submit";
    send.textContent = say.send;
    form.append(label, text, send);
    form.onsubmit = async event => {
      event.preventDefault();
      if (!text.value.trim()) return;
      send.disabled = true;
      try {
        await post("api/mail/reply", {address: address.value, message_id: mail.message_id, text: text.value});
        text.value = "";
        status.textContent = say.sent;
        setTimeout(refresh, 300);
      } catch (error) {
        status.textContent = error.message;
      } finally {
        send.disabled = false;
      }
    };
    article.append(heading, dl, body, form);
    li.append(article);
    return li;
  };

  async function refresh() {
    const wanted = address.value.trim().toLowerCase();
    if (!wanted || !address.checkValidity()) return;
    const response = await fetch(`api/mail?address=${encodeURIComponent(wanted)}&lang=${lang}`);
    if (!response.ok) return;
    const answer = await response.json();
    if (wanted !== address.value.trim().toLowerCase()) return;  // the address changed meanwhile
    if (shownFor !== wanted) {
      shownFor = wanted;
      shown.clear();
      list.replaceChildren();
    }
    // Mail never changes: only the new ones are added (on top), so a reply being typed is never lost.
    const fresh = answer.mails.filter(mail => !shown.has(mail.message_id));
    for (const mail of fresh.reverse()) {
      shown.add(mail.message_id);
      list.prepend(item(mail));
    }
    if (!answer.mails.length) {
      const empty = document.createElement("li");
      empty.className = "mail-none";
      empty.textContent = say.none;
      list.replaceChildren(empty);
    } else {
      list.querySelectorAll(".mail-none").forEach(node => node.remove());
    }
  }

  document.getElementById("mail-member").onsubmit = async event => {
    event.preventDefault();
    if (!process) return;
    try {
      const answer = await post("api/mail/invite", {address: address.value, slug: process.value});
      status.textContent = (answer.queued ? say.invited : say.invited_before).replace("{address}", address.value);
      setTimeout(refresh, 300);
    } catch (error) {
      status.textContent = error.message;
    }
  };
  address.onchange = refresh;
  setInterval(refresh, 1500);
  refresh();
})();
