// The page of `tripwire server`: automations by scope with their definitions, and the execution history.
// Plain ES modules, no build step: Preact and htm come from the server package's own dependencies (see the import map).
import { h, render } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import htm from "htm";
import { explain, num, SINCE, sinceIso, sparkline } from "./format.js";

const html = htm.bind(h);

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== undefined && v !== null));
  const res = await fetch(`/ui/api/${path}${q.size > 0 ? `?${q}` : ""}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const body = await res.json().catch(() => ({}));
  if (res.status === 401) {
    // The key was revoked or the cookie is gone: back to the sign-in form.
    location.assign("/");
    throw new ApiError(401, body.error ?? "signed out");
  }
  if (!res.ok) throw new ApiError(res.status, body.error ?? `HTTP ${res.status}`);
  return body;
}

const time = (iso) => (iso ? new Date(iso).toLocaleString() : "");

function Definition({ id }) {
  const [state, setState] = useState({ loading: true });
  useEffect(() => {
    api("definition", { id }).then((d) => setState({ d }), (e) => setState({ error: e.message }));
  }, [id]);
  if (state.loading && !state.d && !state.error) return html`<p class="muted">loading…</p>`;
  if (state.error) return html`<p class="error">${state.error}</p>`;
  const { d } = state;
  return html`
    ${d.issues.length > 0 ? html`<ul class="issues">${d.issues.map((i) => html`<li>${i}</li>`)}</ul>` : null}
    ${d.renderError ? html`<p class="error">${d.renderError}</p>` : null}
    ${d.sdk !== null
      ? html`<pre class="definition sdk"><code>${d.sdk}</code></pre>`
      : html`<p class="muted">The saved definition (start the server with <code>tripwire server</code> to see it as SDK code):</p>
          <pre class="definition raw"><code>${JSON.stringify(d.raw, null, 2)}</code></pre>`}
  `;
}

function Automation({ a }) {
  const [open, setOpen] = useState(false);
  return html`
    <details class="automation" data-name=${a.name} onToggle=${(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <span class="name">${a.name}</span>
        <span class="tag">${a.eventType}</span>
        <span class="tag">${a.actionType}</span>
        ${a.enabled ? null : html`<span class="tag off">disabled</span>`}
        <span class="muted">${a.lastExecutedAt ? `last fired ${time(a.lastExecutedAt)}` : "never fired"}</span>
      </summary>
      ${open ? html`<${Definition} id=${a.id} />` : null}
    </details>
  `;
}

function Automations({ data, error }) {
  if (error) return html`<p class="error">${error}</p>`;
  if (!data) return html`<p class="muted">loading…</p>`;
  if (data.scopes.length === 0) return html`<p class="muted" id="no-automations">No automations yet: define some and run <code>tripwire apply</code>.</p>`;
  return html`${data.scopes.map(
    (s) => html`
      <section class="scope" data-scope=${s.scope}>
        <h3>${s.scope}</h3>
        ${s.automations.map((a) => html`<${Automation} key=${a.id} a=${a} />`)}
      </section>
    `,
  )}${data.truncated ? html`<p class="muted">Only the first automations are listed.</p>` : null}`;
}

function Sparkline({ series }) {
  const s = sparkline(series);
  if (!s) return html`<p class="muted">No logged values of ${series.metric} around the firing.</p>`;
  return html`
    <figure class="sparkline">
      <svg width=${s.width} height=${s.height} viewBox=${`0 0 ${s.width} ${s.height}`} role="img" aria-label=${`${series.metric} of ${series.run} around step ${series.step}`}>
        ${s.threshold !== null ? html`<line class="threshold" x1="0" x2=${s.width} y1=${s.threshold} y2=${s.threshold} />` : null}
        <path class="series" d=${s.path} />
        ${s.fired ? html`<circle class="fired" cx=${s.fired.x} cy=${s.fired.y} r="3" />` : null}
      </svg>
      <figcaption>${series.metric} of ${series.run}, ${series.points.length} values around step ${series.step} (${num(s.min)} to ${num(s.max)})${series.threshold !== null ? `; threshold ${num(series.threshold)}` : ""}</figcaption>
    </figure>
  `;
}

function Execution({ cursor, updatedAt, onClose }) {
  const [state, setState] = useState({});
  // Another execution: nothing of the previous one shown meanwhile.
  useEffect(() => setState({}), [cursor]);
  // Read again when the history says it changed (a pending delivery settling); a late answer for another is dropped.
  useEffect(() => {
    let current = true;
    api("execution", { cursor }).then((d) => current && setState({ d }), (e) => current && setState({ error: e.message }));
    return () => {
      current = false;
    };
  }, [cursor, updatedAt]);
  if (state.error) return html`<aside class="execution"><p class="error">${state.error}</p></aside>`;
  if (!state.d) return html`<aside class="execution"><p class="muted">loading…</p></aside>`;
  const { entry: e, series } = state.d;
  return html`
    <aside class="execution" id="execution">
      <header>
        <h3>${e.automation} <span class=${`status ${e.status}`}>${e.status}</span></h3>
        <button type="button" class="close" onClick=${onClose}>close</button>
      </header>
      <dl>
        <dt>fired</dt><dd>${time(e.time)}</dd>
        <dt>event</dt><dd>${e.event}${e.run ? ` · run ${e.run}` : ""}${e.project ? ` · ${e.entity}/${e.project}` : ""}</dd>
        <dt>action</dt><dd>${e.action} · ${e.attempts} attempt${e.attempts === 1 ? "" : "s"}${e.statusCode !== null ? ` · HTTP ${e.statusCode}` : ""}</dd>
      </dl>
      <h4>Why it fired</h4>
      <p class="explanation">${explain(e.explanation)}</p>
      ${series ? html`<${Sparkline} series=${series} />` : null}
      <h4>Request</h4>
      ${e.request !== null ? html`<pre class="request"><code>${e.request}</code></pre>` : html`<p class="muted">nothing sent (${e.action})</p>`}
      <h4>Response</h4>
      ${e.response !== null ? html`<pre class="response"><code>${e.response}</code></pre>` : html`<p class="muted">no response recorded</p>`}
      ${e.error ? html`<p class="error">${e.error}</p>` : null}
    </aside>
  `;
}

const STATUSES = ["", "finished", "failed", "pending", "skipped"];

function History({ names }) {
  const [filter, setFilter] = useState({ automation: "", status: "", run: "", since: "" });
  const [state, setState] = useState({});
  const [selected, setSelected] = useState(null);
  const load = useCallback(() => {
    api("history", { automation: filter.automation, status: filter.status, run: filter.run.trim(), since: sinceIso(filter.since), limit: 200 }).then(
      (d) => setState({ d }),
      (e) => setState({ error: e.message }),
    );
  }, [filter]);
  useEffect(() => {
    load();
    const timer = setInterval(load, 5_000);
    return () => clearInterval(timer);
  }, [load]);
  const set = (name) => (ev) => setFilter({ ...filter, [name]: ev.currentTarget.value });
  const entries = state.d ? [...state.d.entries].reverse() : [];
  return html`
    <form class="filters" id="filters" onSubmit=${(ev) => (ev.preventDefault(), load())}>
      <label>automation <select name="automation" value=${filter.automation} onChange=${set("automation")}>
        <option value="">any</option>
        ${names.map((n) => html`<option value=${n}>${n}</option>`)}
      </select></label>
      <label>status <select name="status" value=${filter.status} onChange=${set("status")}>
        ${STATUSES.map((s) => html`<option value=${s}>${s === "" ? "any" : s}</option>`)}
      </select></label>
      <label>run <input name="run" value=${filter.run} placeholder="ID or name" onChange=${set("run")} /></label>
      <label>since <select name="since" value=${filter.since} onChange=${set("since")}>
        ${SINCE.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
      </select></label>
      <button type="submit">refresh</button>
    </form>
    ${state.error ? html`<p class="error">${state.error}</p>` : null}
    ${state.d && entries.length === 0 ? html`<p class="muted" id="no-executions">No executions match.</p>` : null}
    ${entries.length > 0
      ? html`<table class="history" id="history">
          <thead><tr><th>time</th><th>automation</th><th>event</th><th>run</th><th>action</th><th>status</th><th>attempts</th><th>code</th></tr></thead>
          <tbody>
            ${entries.map(
              (e) => html`<tr key=${e.cursor} data-cursor=${e.cursor} class=${selected === e.cursor ? "selected" : ""} onClick=${() => setSelected(e.cursor)}>
                <td>${time(e.time)}</td><td>${e.automation}</td><td>${e.event}</td><td>${e.run ?? ""}</td><td>${e.action}</td>
                <td><span class=${`status ${e.status}`}>${e.status}</span></td><td>${e.attempts}</td><td>${e.statusCode ?? ""}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : null}
    ${selected !== null
      ? html`<${Execution} cursor=${selected} updatedAt=${entries.find((e) => e.cursor === selected)?.updatedAt} onClose=${() => setSelected(null)} />`
      : null}
  `;
}

function App() {
  const [session, setSession] = useState(null);
  const [automations, setAutomations] = useState({});
  useEffect(() => {
    api("session").then(setSession, () => {});
    api("automations").then((data) => setAutomations({ data }), (e) => setAutomations({ error: e.message }));
  }, []);
  const names = [...new Set((automations.data?.scopes ?? []).flatMap((s) => s.automations.map((a) => a.name)))].sort();
  return html`
    <header class="top">
      <h1>Tripwire</h1>
      <span class="muted" id="user">${session ? `signed in as ${session.user}` : ""}</span>
      <form method="post" action="/ui/logout"><button type="submit">sign out</button></form>
    </header>
    <main>
      <section id="automations"><h2>Automations</h2><${Automations} ...${automations} /></section>
      <section id="executions"><h2>History</h2><${History} names=${names} /></section>
    </main>
  `;
}

render(html`<${App} />`, document.getElementById("app"));
