/*
 * CSV export of what the page shows, in the browser (no server round trip):
 *
 * - every Plotly chart gets a "Download data as CSV" button in its toolbar, beside the PNG
 *   camera. It reads the chart's live state: the traces drawn (hidden legend entries left
 *   out) and, on date/number axes, only the points inside the visible x range, so a zoomed
 *   chart exports the zoomed window at the resolution it was drawn with;
 * - every table with a ".csv-button" (data-csv-target = the table's id) exports its cells as
 *   shown;
 * - Plotly's "Share chart" (upload to Plotly's cloud) is removed from every chart: plotly.js 3
 *   shows it by default.
 *
 * window.tsmExport.figureCsv(graphDiv) / tableCsv(element) return the text; the tests use them.
 */
(function () {
  "use strict";

  function cell(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number" && !isFinite(value)) return "";
    var text = String(value);
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function line(values) {
    return values.map(cell).join(",");
  }

  function list(values) {
    if (!values) return [];
    if (Array.isArray(values)) return values;
    if (ArrayBuffer.isView(values)) return Array.prototype.slice.call(values);
    return [];
  }

  function axisOf(full, ref) {
    // "x" -> layout.xaxis, "x2" -> layout.xaxis2
    return full[ref.charAt(0) + "axis" + ref.slice(1)] || null;
  }

  function titleOf(gd, ref) {
    // From the figure as given: plotly's full layout holds an editing placeholder instead.
    var axis = axisOf(gd.layout || {}, ref);
    var title = axis && axis.title;
    if (title && typeof title === "object") title = title.text;
    return title ? String(title).replace(/<[^>]*>/g, "") : "";
  }

  function isRanged(axis) {
    return axis && Array.isArray(axis.range) && ["date", "linear", "log"].indexOf(axis.type) >= 0;
  }

  function plain(value) {
    // Labels may carry plotly's HTML (<br>, <b>): the CSV gets the words.
    return typeof value === "string"
      ? value.replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim()
      : value;
  }

  function shownValue(axis, raw, calc) {
    // Dates as the chart labels them (YYYY-MM-DD, with the time only when there is one).
    if (axis && axis.type === "date") {
      if (typeof raw === "string") return raw.replace(/[ T]00:00(:00(\.0+)?)?$/, "");
      return axis.c2d ? axis.c2d(calc).replace(/ 00:00(:00(\.0+)?)?$/, "") : raw;
    }
    return plain(raw);
  }

  /* The visible points of each drawn trace: {name, units, keyTitle, axisType, points: [[key, calc, value]]}. */
  function traceTables(gd) {
    var full = gd._fullLayout || {};
    var traces = gd._fullData || gd.data || [];
    var out = [];
    traces.forEach(function (trace, i) {
      if (trace.visible !== undefined && trace.visible !== true) return;
      var name = plain(trace.name || "");
      if (trace.type === "pie") {
        var labels = list(trace.labels), values = list(trace.values);
        out.push({name: name || "value", units: "", keyTitle: "label", axisType: "category",
                  points: labels.map(function (l, k) { return [l, k, values[k]]; })});
        return;
      }
      var horizontal = trace.orientation === "h";
      var keys = list(horizontal ? trace.y : trace.x);
      var vals = list(horizontal ? trace.x : trace.y);
      if (!vals.length && trace.z) vals = list(trace.z);
      if (!keys.length) keys = vals.map(function (_, k) { return k; });
      var keyRef = (horizontal ? trace.yaxis : trace.xaxis) || (horizontal ? "y" : "x");
      var valRef = (horizontal ? trace.xaxis : trace.yaxis) || (horizontal ? "x" : "y");
      var keyAxis = axisOf(full, keyRef);
      var ranged = isRanged(keyAxis) && keyAxis.r2c && keyAxis.d2c;
      var lo = -Infinity, hi = Infinity;
      if (ranged) {
        var a = keyAxis.r2c(keyAxis.range[0]), b = keyAxis.r2c(keyAxis.range[1]);
        lo = Math.min(a, b);
        hi = Math.max(a, b);
      }
      var points = [];
      for (var k = 0; k < keys.length; k++) {
        var calc = ranged ? keyAxis.d2c(keys[k]) : k;
        if (ranged && !(calc >= lo && calc <= hi)) continue;
        points.push([shownValue(keyAxis, keys[k], calc), calc, vals[k]]);
      }
      var units = titleOf(gd, valRef);
      var kind = keyAxis ? keyAxis.type : "";
      out.push({name: name || units || "value " + (i + 1), units: name ? units : "", axisType: kind,
                keyTitle: titleOf(gd, keyRef) ||
                  (kind === "date" ? "date" : kind === "category" ? "category" : "x"),
                points: points, sortable: !!ranged});
    });
    return out;
  }

  function columnNames(tables) {
    var seen = {};
    return tables.map(function (t) {
      var name = t.name;
      if (t.units && name.indexOf(t.units) < 0 && t.units.length <= 30) name += " (" + t.units + ")";
      seen[name] = (seen[name] || 0) + 1;
      return seen[name] > 1 ? name + " #" + seen[name] : name;
    });
  }

  /* One row per x (wide) when every trace has at most one value per x; else one row per point. */
  function figureCsv(gd) {
    var tables = traceTables(gd);
    if (!tables.length) return "note\r\nno data shown\r\n";
    var names = columnNames(tables);
    var unique = tables.every(function (t) {
      var keys = {};
      return t.points.every(function (p) {
        var key = String(p[0]);
        if (keys[key]) return false;
        keys[key] = true;
        return true;
      });
    });
    var sameKind = tables.every(function (t) { return t.axisType === tables[0].axisType; });
    if (!(unique && sameKind)) {
      var rows = [line(["series", tables[0].keyTitle, "value"])];
      tables.forEach(function (t, i) {
        t.points.forEach(function (p) { rows.push(line([names[i], p[0], p[2]])); });
      });
      return rows.join("\r\n") + "\r\n";
    }
    var order = [], byKey = {};
    tables.forEach(function (t, i) {
      t.points.forEach(function (p) {
        var key = String(p[0]);
        if (!byKey[key]) {
          byKey[key] = {key: p[0], calc: p[1], values: new Array(tables.length)};
          order.push(key);
        }
        byKey[key].values[i] = p[2];
      });
    });
    if (tables.every(function (t) { return t.sortable; })) {
      order.sort(function (a, b) { return byKey[a].calc - byKey[b].calc; });
    }
    var out = [line([tables[0].keyTitle].concat(names))];
    order.forEach(function (key) {
      var row = byKey[key];
      out.push(line([row.key].concat(Array.prototype.slice.call(row.values))));
    });
    return out.join("\r\n") + "\r\n";
  }

  function text(el) {
    var name = el.querySelector(".column-header-name");  // DataTable headers carry sort icons
    return (name || el).innerText.replace(/\s+/g, " ").trim();
  }

  function tableCsv(root) {
    var rows = [];
    root.querySelectorAll("tr").forEach(function (tr) {
      if (tr.closest("caption")) return;
      var cells = [];
      tr.querySelectorAll("th, td").forEach(function (c) { cells.push(text(c)); });
      if (cells.length) rows.push(line(cells));
    });
    return rows.length ? rows.join("\r\n") + "\r\n" : "";
  }

  function fileName(id) {
    var stamp = new Date().toISOString().slice(0, 10);
    return String(id || "export").replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") +
      "_" + stamp + ".csv";
  }

  function download(name, csv) {
    var blob = new Blob([csv], {type: "text/csv;charset=utf-8"});
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.style.display = "none";
    document.body.appendChild(link);
    link.click();
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
      link.remove();
    }, 1000);
    window.tsmExport.last = {name: name, csv: csv};
  }

  function graphId(gd) {
    var holder = gd.closest("[id]");
    if (holder === gd && gd.parentElement) holder = gd.parentElement.closest("[id]") || gd;
    return holder ? holder.id : "chart";
  }

  var CSV_BUTTON = {
    name: "downloadCsv",
    title: "Download data as CSV (the visible range)",
    icon: {
      width: 1000,
      height: 1000,
      path: "M100 100H900V900H100Z M170 170V830H830V170Z M170 380H830V440H170Z " +
            "M170 600H830V660H170Z M400 170H460V830H400Z",
    },
    click: function (gd) {
      download(fileName(graphId(gd)), figureCsv(gd));
    },
  };

  var CONFIG = {
    showSendToCloud: false,
    showEditInChartStudio: false,
    plotlyServerURL: "",
    modeBarButtonsToRemove: ["sendChartToCloud", "sendDataToCloud", "editInChartStudio"],
    modeBarButtonsToAdd: [CSV_BUTTON],
  };

  window.tsmExport = {figureCsv: figureCsv, tableCsv: tableCsv, download: download, last: null};

  // Configure Plotly the moment it is defined, before any chart is drawn (the graph component
  // may load it after this file): a chart drawn first would keep plotly's default toolbar.
  function configure(plotly) {
    if (plotly && plotly.setPlotConfig && !plotly.__tsmConfigured) {
      plotly.setPlotConfig(CONFIG);
      plotly.__tsmConfigured = true;
    }
  }
  if (window.Plotly) {
    configure(window.Plotly);
  } else {
    var held;
    Object.defineProperty(window, "Plotly", {
      configurable: true,
      enumerable: true,
      get: function () { return held; },
      set: function (value) { held = value; configure(value); },
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".csv-button[data-csv-target]");
    if (!button) return;
    var id = button.getAttribute("data-csv-target");
    var target = document.getElementById(id);
    if (!target) return;
    var gd = target.classList.contains("js-plotly-plot") ? target
      : target.querySelector(".js-plotly-plot");
    download(fileName(id), gd ? figureCsv(gd) : tableCsv(target));
  });
})();
