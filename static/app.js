// SneakyScanner's small page scripts: API forms, confirmations, local times, live progress.
// No inline script anywhere (the CSP forbids it): pages opt in with data- attributes.
"use strict";

function localTimes(root) {
  root.querySelectorAll("time[datetime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) { el.textContent = when.toLocaleString(); el.title = el.getAttribute("datetime"); }
  });
}

function showMessage(form, text, ok) {
  var box = form.querySelector(".form-message");
  if (!box) { box = document.createElement("p"); box.className = "form-message"; form.appendChild(box); }
  box.textContent = text;
  box.className = "form-message " + (ok ? "ok" : "error");
  box.setAttribute("role", ok ? "status" : "alert");
}

function formBody(form) {
  var body = {};
  form.querySelectorAll("input, select, textarea").forEach(function (field) {
    if (!field.name || field.dataset.skip !== undefined) { return; }
    if (field.type === "checkbox") {
      if (field.dataset.list !== undefined) {
        body[field.name] = body[field.name] || [];
        if (field.checked) { body[field.name].push(field.value); }
      } else { body[field.name] = field.checked; }
    } else if (field.dataset.type === "number" && field.value !== "") {
      body[field.name] = Number(field.value);
    } else if (field.dataset.type === "json") {
      try { body[field.name] = JSON.parse(field.value); } catch (e) { body[field.name] = field.value; }
    } else if (field.value !== "" || field.dataset.keepEmpty !== undefined) {
      body[field.name] = field.value;
    }
  });
  if (form.dataset.wrap) { var wrapped = {}; wrapped[form.dataset.wrap] = body[form.dataset.wrap]; return wrapped; }
  return body;
}

function fill(template, data) {
  return template.replace(/\{(\w+)\}/g, function (_, key) { return encodeURIComponent(data[key]); });
}

function apiCall(method, url, body) {
  var options = {method: method, credentials: "same-origin", headers: {"Accept": "application/json"}};
  if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
  return fetch(url, options).then(function (response) {
    return response.text().then(function (text) {
      var data = {};
      try { data = text ? JSON.parse(text) : {}; } catch (e) { data = {}; }
      return {ok: response.ok, status: response.status, data: data};
    });
  });
}

function errorText(result) {
  var d = result.data || {};
  return d.message || d.error || ("Request failed (HTTP " + result.status + ")");
}

// <form data-api="/api/x" data-method="POST" data-then="reload | go:/path/{id} | show:#id">
function wireApiForms(root) {
  root.querySelectorAll("form[data-api]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { return; }
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      showMessage(form, "Working…", true);
      apiCall(form.dataset.method || "POST", form.dataset.api, formBody(form)).then(function (result) {
        if (button) { button.disabled = false; }
        if (!result.ok) { showMessage(form, errorText(result), false); return; }
        var then = form.dataset.then || "reload";
        if (then === "reload") { window.location.reload(); }
        else if (then.indexOf("go:") === 0) { window.location.href = fill(then.slice(3), result.data); }
        else if (then.indexOf("show:") === 0) {
          var target = document.querySelector(then.slice(5));
          target.hidden = false;
          target.querySelectorAll("[data-field]").forEach(function (el) {
            var value = el.dataset.field.split(".").reduce(function (o, k) { return o ? o[k] : undefined; }, result.data);
            el.textContent = value === undefined ? "" : value;
          });
          showMessage(form, form.dataset.done || "Done.", true);
        } else { showMessage(form, form.dataset.done || "Saved.", true); }
      }).catch(function () {
        if (button) { button.disabled = false; }
        showMessage(form, "The server could not be reached.", false);
      });
    });
  });
}

// <button data-action="DELETE /api/x/1" data-confirm="Delete?">
function wireActionButtons(root) {
  root.querySelectorAll("button[data-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) { return; }
      var parts = button.dataset.action.split(" ");
      button.disabled = true;
      var body = button.dataset.body ? JSON.parse(button.dataset.body) : (parts[0] === "POST" ? {} : undefined);
      apiCall(parts[0], parts[1], body).then(function (result) {
        if (result.ok) {
          if (button.dataset.then) { window.location.href = button.dataset.then; } else { window.location.reload(); }
          return;
        }
        button.disabled = false;
        window.alert(errorText(result));
      });
    });
  });
}

function socketUrl(path) {
  return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
}

// <section data-live-scan="12"> shows each progress event and reloads at the end.
function wireLiveScan(root) {
  root.querySelectorAll("[data-live-scan]").forEach(function (box) {
    var log = box.querySelector("ol");
    var socket = new WebSocket(socketUrl("/ws/scans/" + box.dataset.liveScan));
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "heartbeat") { return; }
      var item = document.createElement("li");
      if (event.type === "progress") {
        item.textContent = event.phase.replace(/_/g, " ") +
          (event.open_ports !== undefined ? ": " + event.open_ports + " open port(s) on " + event.hosts + " host(s)" : "");
      } else if (event.type === "complete") {
        item.textContent = "Scan " + event.status + (event.error_message ? ": " + event.error_message : "");
        item.className = event.status === "completed" ? "ok" : "bad";
        box.dataset.state = event.status;
        socket.close();
        window.setTimeout(function () { window.location.href = box.dataset.then || window.location.href; }, 800);
      } else { item.textContent = event.message || event.type; }
      log.appendChild(item);
    };
  });
}

// <section data-live-investigation="uuid"> lists module events as they arrive.
function wireLiveInvestigation(root) {
  root.querySelectorAll("[data-live-investigation]").forEach(function (box) {
    var log = box.querySelector("ol");
    var socket = new WebSocket(socketUrl("/ws/investigate/" + box.dataset.liveInvestigation));
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      var item = document.createElement("li");
      item.dataset.module = event.module || "";
      if (event.type === "module_start") { item.textContent = event.module + ": started"; }
      else if (event.type === "module_result") {
        item.textContent = event.module + ": " + event.findings.length + " finding(s)"; item.className = "ok";
      } else if (event.type === "module_error") { item.textContent = event.module + ": " + event.error; item.className = "bad"; }
      else if (event.type === "investigation_complete") {
        item.textContent = "Complete: exposure score " + event.exposure_score + " (" + event.risk_level + ")";
        box.dataset.state = "complete";
        socket.close();
        window.setTimeout(function () { window.location.reload(); }, 800);
      } else { item.textContent = event.error || event.type; item.className = "bad"; }
      log.appendChild(item);
    };
  });
}

// <svg data-graph="/api/report/ID/graph">: a small force layout, drawn with SVG elements.
function wireGraphs(root) {
  root.querySelectorAll("svg[data-graph]").forEach(function (svg) {
    fetch(svg.dataset.graph, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (graph) {
      var ns = "http://www.w3.org/2000/svg", width = 640, height = 420;
      var nodes = graph.nodes.map(function (n, i) {
        var angle = 2 * Math.PI * i / graph.nodes.length;
        return {data: n, x: width / 2 + (i ? 160 * Math.cos(angle) : 0), y: height / 2 + (i ? 140 * Math.sin(angle) : 0), vx: 0, vy: 0};
      });
      var byId = {};
      nodes.forEach(function (n) { byId[n.data.id] = n; });
      var links = graph.links.filter(function (l) { return byId[l.source] && byId[l.target]; });
      for (var step = 0; step < 300; step++) {
        nodes.forEach(function (a) { nodes.forEach(function (b) {
          if (a === b) { return; }
          var dx = a.x - b.x, dy = a.y - b.y, d2 = Math.max(dx * dx + dy * dy, 25);
          a.vx += 250 * dx / d2; a.vy += 250 * dy / d2;
        }); });
        links.forEach(function (l) {
          var s = byId[l.source], t = byId[l.target], dx = t.x - s.x, dy = t.y - s.y;
          var dist = Math.sqrt(dx * dx + dy * dy) || 1, pull = (dist - 120) * 0.02;
          s.vx += pull * dx / dist; s.vy += pull * dy / dist; t.vx -= pull * dx / dist; t.vy -= pull * dy / dist;
        });
        nodes.forEach(function (n) {
          n.vx += (width / 2 - n.x) * 0.005; n.vy += (height / 2 - n.y) * 0.005;
          n.x = Math.min(width - 20, Math.max(20, n.x + n.vx * 0.5)); n.y = Math.min(height - 20, Math.max(20, n.y + n.vy * 0.5));
          n.vx *= 0.6; n.vy *= 0.6;
        });
      }
      svg.setAttribute("viewBox", "0 0 " + width + " " + height);
      links.forEach(function (l) {
        var line = document.createElementNS(ns, "line");
        line.setAttribute("x1", byId[l.source].x); line.setAttribute("y1", byId[l.source].y);
        line.setAttribute("x2", byId[l.target].x); line.setAttribute("y2", byId[l.target].y);
        line.setAttribute("class", "link link-" + l.confidence);
        svg.appendChild(line);
      });
      nodes.forEach(function (n) {
        var group = document.createElementNS(ns, "g");
        group.setAttribute("class", "node node-" + n.data.type);
        group.setAttribute("tabindex", "0");
        var circle = document.createElementNS(ns, "circle");
        circle.setAttribute("cx", n.x); circle.setAttribute("cy", n.y); circle.setAttribute("r", n.data.type === "email" ? 12 : 8);
        var label = document.createElementNS(ns, "text");
        label.setAttribute("x", n.x + 12); label.setAttribute("y", n.y + 4);
        label.textContent = n.data.label + (n.data.platform ? " (" + n.data.platform + ")" : "");
        var title = document.createElementNS(ns, "title");
        title.textContent = n.data.type + ": " + n.data.label;
        group.appendChild(title); group.appendChild(circle); group.appendChild(label);
        svg.appendChild(group);
      });
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  localTimes(document);
  wireApiForms(document);
  wireActionButtons(document);
  wireLiveScan(document);
  wireLiveInvestigation(document);
  wireGraphs(document);
});
