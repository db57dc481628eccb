/* Small enhancements of the public site; every page works without them.
 *  - reading settings: 长辈模式, 字号 标准/大/特大, 高对比度 (remembered in localStorage);
 *  - the print button of a catalog;
 *  - the home page's city → county → township chooser loads the next level in place;
 *  - the search page's region filter fills the next select from /api/v1/regions/?parent=
 *    and submits the deepest choice as ?region=CODE. */
(function () {
  "use strict";
  var root = document.documentElement;
  var SIZES = ["md", "lg", "xl"];

  function store(key, value) {
    try {
      if (value) {
        window.localStorage.setItem(key, value);
      } else {
        window.localStorage.removeItem(key);
      }
    } catch (error) {
      /* Not remembered, but still applied to this page. */
    }
  }

  function currentSize() {
    var size = root.getAttribute("data-text");
    return SIZES.indexOf(size) > 0 ? size : "md";
  }

  function setSize(size) {
    if (size === "md") {
      root.removeAttribute("data-text");
      store("gk-text-size", null);
    } else {
      root.setAttribute("data-text", size);
      store("gk-text-size", size);
    }
    sync();
  }

  function setContrast(high) {
    if (high) {
      root.setAttribute("data-contrast", "high");
      store("gk-contrast", "high");
    } else {
      root.removeAttribute("data-contrast");
      store("gk-contrast", null);
    }
    sync();
  }

  function press(button, on) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }

  function sync() {
    var size = currentSize();
    document.querySelectorAll("[data-text-size]").forEach(function (button) {
      press(button, button.getAttribute("data-text-size") === size);
    });
    document.querySelectorAll('[data-pref="elder"]').forEach(function (button) {
      press(button, size !== "md");
    });
    document.querySelectorAll('[data-pref="contrast"]').forEach(function (button) {
      press(button, root.getAttribute("data-contrast") === "high");
    });
  }

  function setupPrefs() {
    document.querySelectorAll("[data-text-size]").forEach(function (button) {
      button.addEventListener("click", function () {
        setSize(button.getAttribute("data-text-size"));
      });
    });
    document.querySelectorAll('[data-pref="elder"]').forEach(function (button) {
      button.addEventListener("click", function () {
        setSize(currentSize() === "md" ? "lg" : "md");
      });
    });
    document.querySelectorAll('[data-pref="contrast"]').forEach(function (button) {
      button.addEventListener("click", function () {
        setContrast(root.getAttribute("data-contrast") !== "high");
      });
    });
    sync();
  }

  function setupPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  /* Replace a select's options with those of the same select in a freshly loaded page. */
  function copySelect(fromDoc, id) {
    var fresh = fromDoc.getElementById(id);
    var select = document.getElementById(id);
    if (!fresh || !select) {
      return;
    }
    while (select.firstChild) {
      select.removeChild(select.firstChild);
    }
    Array.prototype.forEach.call(fresh.options, function (option) {
      select.appendChild(document.importNode(option, true));
    });
    select.disabled = fresh.disabled;
  }

  function setupChooser(form) {
    var city = form.querySelector('[data-level="city"]');
    var county = form.querySelector('[data-level="county"]');
    var status = form.querySelector("[data-chooser-status]");
    var nextStep = form.querySelector("[data-next-step]");
    if (!city || !county || !window.fetch || !window.DOMParser) {
      return;
    }
    if (nextStep) {
      nextStep.hidden = true;
    }
    var action = form.getAttribute("action").split("#")[0];

    function load(query, ids) {
      status.textContent = "正在加载……";
      window
        .fetch(action + "?" + query, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          ids.forEach(function (id) {
            copySelect(doc, id);
          });
          var freshStatus = doc.querySelector("[data-chooser-status]");
          status.textContent = freshStatus ? freshStatus.textContent : "";
        })
        .catch(function () {
          status.textContent = "加载失败，请按“下一步”继续。";
          if (nextStep) {
            nextStep.hidden = false;
          }
        });
    }

    city.addEventListener("change", function () {
      load("city=" + encodeURIComponent(city.value), ["id_county", "id_township"]);
    });
    county.addEventListener("change", function () {
      load(
        "city=" + encodeURIComponent(city.value) + "&county=" + encodeURIComponent(county.value),
        ["id_township"]
      );
    });
  }

  /* Every child region of `code`, following the API's pages. */
  function fetchChildren(api, code) {
    var results = [];
    function fetchPage(url) {
      return window
        .fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (body) {
          results = results.concat(body.results || []);
          return body.next ? fetchPage(body.next) : results;
        });
    }
    return fetchPage(api + "?parent=" + encodeURIComponent(code) + "&page_size=200");
  }

  function resetSelect(select, label) {
    while (select.firstChild) {
      select.removeChild(select.firstChild);
    }
    var option = document.createElement("option");
    option.value = "";
    option.textContent = label;
    select.appendChild(option);
    select.disabled = true;
  }

  function setupRegionPicker(picker) {
    var form = picker.closest("form");
    var city = picker.querySelector('[data-picker-level="city"]');
    var county = picker.querySelector('[data-picker-level="county"]');
    var township = picker.querySelector('[data-picker-level="township"]');
    var status = picker.querySelector("[data-picker-status]");
    var api = picker.getAttribute("data-api");
    if (!form || !city || !county || !township || !window.fetch) {
      return;
    }
    var latest = 0;

    function load(parent, select, allLabel, noun) {
      var request = ++latest;
      var name = parent.options[parent.selectedIndex].textContent;
      status.textContent = "正在加载" + name + "的" + noun + "……";
      fetchChildren(api, parent.value)
        .then(function (regions) {
          if (request !== latest) {
            return; /* a later choice is loading */
          }
          resetSelect(select, name + allLabel);
          regions.forEach(function (region) {
            var option = document.createElement("option");
            option.value = region.code;
            option.textContent = region.name;
            select.appendChild(option);
          });
          select.disabled = regions.length === 0;
          status.textContent = "已列出" + name + "的" + regions.length + "个" + noun + "。";
        })
        .catch(function () {
          if (request === latest) {
            status.textContent = "下级地区加载失败，请按“应用筛选”后再选择。";
          }
        });
    }

    city.addEventListener("change", function () {
      resetSelect(county, city.value ? "正在加载……" : "请先选择市（州）");
      resetSelect(township, "请先选择县（市、区）");
      if (city.value) {
        load(city, county, "全部县（市、区）", "县（市、区）");
      } else {
        latest++;
        status.textContent = "";
      }
    });
    county.addEventListener("change", function () {
      resetSelect(township, county.value ? "正在加载……" : "请先选择县（市、区）");
      if (county.value) {
        load(county, township, "全部乡镇（街道）", "乡镇（街道）");
      } else {
        latest++;
        status.textContent = "";
      }
    });
    /* Send ?region=<the deepest choice> rather than the three selects. */
    form.addEventListener("submit", function () {
      var deepest = township.value || county.value || city.value;
      var region = form.querySelector("[data-region-value]");
      if (deepest) {
        if (!region) {
          region = document.createElement("input");
          region.type = "hidden";
          region.name = "region";
          region.setAttribute("data-region-value", "");
          picker.appendChild(region);
        }
        region.value = deepest;
      } else if (region && !region.hasAttribute("data-region-fixed")) {
        region.parentNode.removeChild(region); /* left from an earlier submit */
      }
      [city, county, township].forEach(function (select) {
        select.removeAttribute("name");
      });
    });
    /* Coming back to the page (back button) must find the selects submittable again. */
    window.addEventListener("pageshow", function () {
      city.name = "city";
      county.name = "county";
      township.name = "township";
    });
  }

  function start() {
    setupPrefs();
    setupPrint();
    document.querySelectorAll("[data-chooser]").forEach(setupChooser);
    document.querySelectorAll("[data-region-picker]").forEach(setupRegionPicker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
