/**
 * A stand-in for Stripe.js (what `https://js.stripe.com/<release>/stripe.js` serves), for browser
 * tests that cannot reach Stripe: a page's `loadStripe` gets it from `page.route`, and it talks to
 * `https://api.stripe.com`, which the test routes to the fake Stripe server (./fakeStripe.ts),
 * with the publishable key as Stripe.js sends it (the `key` parameter, form-encoded).
 *
 * It implements, as Stripe documents them, the calls a checkout with the Payment Element in
 * deferred mode makes (docs.stripe.com/js):
 *
 * - `Stripe(publishableKey)`; `stripe.elements({ mode: "payment", amount, currency, … })`,
 *   `elements.update`, `elements.getElement`, `elements.create("payment")`, and the element's
 *   `mount`, `on`/`off` (`ready`, `change`), `update`, `unmount`, `destroy`;
 * - `elements.submit()` (validates the form: `{ error }` when incomplete) and
 *   `stripe.createPaymentMethod({ elements, params })`, which refuses to run before `submit`
 *   (`{ paymentMethod }` or `{ error }`);
 * - `stripe.handleNextAction({ clientSecret })` for a PaymentIntent that `requires_action`: it
 *   shows the bank's challenge (a dialog with "Complete authentication" and "Fail
 *   authentication", as Stripe's 3-D Secure test page offers) and resolves `{ paymentIntent }`,
 *   or `{ error }` when authentication failed (`payment_intent_authentication_failure`) or the
 *   intent did not require an action.
 *
 * The "Payment Element" is plain inputs (card number, expiry, security code) rather than Stripe's
 * iframe. What the page configured is kept in `window.__stripeStandIn` for the test to read.
 * The other methods a wrapper checks for exist and answer an error.
 */
export const stripeJsStandIn = String.raw`
(function () {
  "use strict";
  var API = "https://api.stripe.com";
  var state = { publishableKey: null, elementsOptions: null, createdPaymentMethods: [], challenges: 0 };
  window.__stripeStandIn = state;

  function encode(params, prefix, out) {
    Object.keys(params).forEach(function (name) {
      var value = params[name];
      var key = prefix ? prefix + "[" + name + "]" : name;
      if (value === undefined || value === null) return;
      if (typeof value === "object") encode(value, key, out);
      else out.append(key, String(value));
    });
    return out;
  }

  function call(publishableKey, method, path, params) {
    var body = encode(Object.assign({}, params, { key: publishableKey }), "", new URLSearchParams());
    var request =
      method === "GET"
        ? fetch(API + path + "?" + body.toString())
        : fetch(API + path, { method: "POST", body: body });
    return request.then(function (response) {
      return response.json().then(function (json) {
        return response.ok ? { object: json } : { error: json.error };
      });
    });
  }

  function unsupported(name) {
    return Promise.resolve({
      error: { type: "invalid_request_error", message: "The Stripe.js stand-in does not implement " + name + "." },
    });
  }

  function emitter() {
    var handlers = {};
    return {
      on: function (event, handler) {
        (handlers[event] = handlers[event] || []).push(handler);
      },
      off: function (event, handler) {
        handlers[event] = (handlers[event] || []).filter(function (each) {
          return each !== handler;
        });
      },
      emit: function (event, payload) {
        (handlers[event] || []).slice().forEach(function (handler) {
          handler(payload);
        });
      },
    };
  }

  function field(container, id, label, autocomplete, placeholder) {
    var wrapper = document.createElement("div");
    wrapper.className = "field";
    var caption = document.createElement("label");
    caption.htmlFor = id;
    caption.textContent = label;
    var input = document.createElement("input");
    input.id = id;
    input.autocomplete = autocomplete;
    input.placeholder = placeholder;
    input.inputMode = "numeric";
    wrapper.appendChild(caption);
    wrapper.appendChild(input);
    container.appendChild(wrapper);
    return input;
  }

  function paymentElement() {
    var events = emitter();
    var root = null;
    var inputs = null;
    var element = {
      mount: function (target) {
        var node = typeof target === "string" ? document.querySelector(target) : target;
        if (!node) throw new Error("IntegrationError: the Payment Element's container was not found.");
        root = document.createElement("div");
        root.setAttribute("data-stripe-stand-in", "payment");
        var id = "stripe-stand-in-" + Math.random().toString(36).slice(2, 8);
        inputs = {
          number: field(root, id + "-number", "Card number", "cc-number", "1234 1234 1234 1234"),
          expiry: field(root, id + "-expiry", "Expiration date (MM / YY)", "cc-exp", "MM / YY"),
          cvc: field(root, id + "-cvc", "Security code", "cc-csc", "CVC"),
        };
        Object.keys(inputs).forEach(function (name) {
          inputs[name].addEventListener("input", function () {
            var value = element._value();
            events.emit("change", {
              elementType: "payment",
              empty: !value.number && !value.expiry && !value.cvc,
              complete: !element._problem(),
              collapsed: false,
              value: { type: "card" },
            });
          });
        });
        node.appendChild(root);
        setTimeout(function () {
          events.emit("ready", { elementType: "payment" });
        }, 0);
      },
      on: events.on,
      off: events.off,
      once: function (event, handler) {
        var wrapped = function (payload) {
          events.off(event, wrapped);
          handler(payload);
        };
        events.on(event, wrapped);
      },
      update: function () {},
      focus: function () {
        if (inputs) inputs.number.focus();
      },
      blur: function () {},
      clear: function () {
        if (inputs)
          Object.keys(inputs).forEach(function (name) {
            inputs[name].value = "";
          });
      },
      unmount: function () {
        if (root && root.parentNode) root.parentNode.removeChild(root);
      },
      destroy: function () {
        element.unmount();
        root = null;
        inputs = null;
      },
      _mounted: function () {
        return !!(root && root.isConnected);
      },
      _value: function () {
        return {
          number: inputs.number.value.replace(/\s/g, ""),
          expiry: inputs.expiry.value.replace(/\s/g, ""),
          cvc: inputs.cvc.value.trim(),
        };
      },
      _problem: function () {
        var value = element._value();
        if (!/^\d{12,19}$/.test(value.number)) return { code: "incomplete_number", message: "Your card number is incomplete." };
        if (!/^(0[1-9]|1[0-2])\/\d{2}$/.test(value.expiry))
          return { code: "incomplete_expiry", message: "Your card's expiration date is incomplete." };
        if (!/^\d{3,4}$/.test(value.cvc)) return { code: "incomplete_cvc", message: "Your card's security code is incomplete." };
        return null;
      },
    };
    return element;
  }

  function elementsGroup(options) {
    if (!options || options.mode !== "payment" || !(options.amount > 0) || !options.currency)
      throw new Error("IntegrationError: the stand-in supports elements({ mode: 'payment', amount, currency }).");
    state.elementsOptions = Object.assign({}, options);
    var payment = null;
    var submitted = false;
    var group = {
      update: function (next) {
        state.elementsOptions = Object.assign({}, state.elementsOptions, next);
      },
      create: function (type) {
        if (type !== "payment") throw new Error("IntegrationError: the stand-in only has the Payment Element.");
        payment = paymentElement();
        return payment;
      },
      getElement: function (type) {
        return type === "payment" ? payment : null;
      },
      fetchUpdates: function () {
        return Promise.resolve({});
      },
      submit: function () {
        submitted = false;
        if (!payment || !payment._mounted())
          return Promise.resolve({ error: { type: "validation_error", message: "No mounted Payment Element." } });
        var problem = payment._problem();
        if (problem) return Promise.resolve({ error: { type: "validation_error", code: problem.code, message: problem.message } });
        submitted = true;
        return Promise.resolve({});
      },
      _card: function () {
        if (!submitted) return null;
        var value = payment._value();
        return {
          number: value.number,
          exp_month: value.expiry.slice(0, 2),
          exp_year: "20" + value.expiry.slice(3),
          cvc: value.cvc,
        };
      },
    };
    return group;
  }

  /** The bank's 3-D Secure challenge, as Stripe.js shows it in a modal: resolves "succeeded" or "failed". */
  function challenge() {
    state.challenges += 1;
    return new Promise(function (resolve) {
      var dialog = document.createElement("div");
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.setAttribute("aria-label", "3D Secure authentication");
      dialog.style.cssText =
        "position:fixed;inset:0;display:grid;place-items:center;background:rgba(0,0,0,.45);z-index:2147483647";
      var panel = document.createElement("div");
      panel.style.cssText = "background:#fff;padding:24px;border-radius:8px;max-width:360px;font:16px sans-serif";
      var heading = document.createElement("h2");
      heading.textContent = "3D Secure 2 Test Page";
      panel.appendChild(heading);
      var text = document.createElement("p");
      text.textContent = "Your bank asks you to confirm this payment.";
      panel.appendChild(text);
      [
        ["Complete authentication", "succeeded"],
        ["Fail authentication", "failed"],
      ].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice[0];
        button.style.marginRight = "8px";
        button.addEventListener("click", function () {
          dialog.parentNode.removeChild(dialog);
          resolve(choice[1]);
        });
        panel.appendChild(button);
      });
      dialog.appendChild(panel);
      document.body.appendChild(dialog);
    });
  }

  function intentIdOf(clientSecret) {
    var at = String(clientSecret).indexOf("_secret_");
    return at > 0 ? String(clientSecret).slice(0, at) : null;
  }

  function Stripe(publishableKey) {
    if (typeof publishableKey !== "string" || !/^pk_(test|live)_/.test(publishableKey))
      throw new Error("IntegrationError: Invalid value for Stripe(): apiKey should be a publishable key.");
    state.publishableKey = publishableKey;
    var stripe = {
      _registerWrapper: function () {},
      registerAppInfo: function () {},
      elements: function (options) {
        return elementsGroup(options);
      },
      createPaymentMethod: function (args) {
        if (!args || !args.elements)
          return unsupported("createPaymentMethod without elements");
        var card = args.elements._card();
        if (!card)
          return Promise.resolve({
            error: {
              type: "invalid_request_error",
              message: "elements.submit() must be called before stripe.createPaymentMethod().",
            },
          });
        var params = args.params || {};
        return call(publishableKey, "POST", "/v1/payment_methods", {
          type: "card",
          card: card,
          billing_details: params.billing_details,
        }).then(function (result) {
          if (result.error) return { error: result.error };
          state.createdPaymentMethods.push(result.object.id);
          return { paymentMethod: result.object };
        });
      },
      handleNextAction: function (args) {
        var clientSecret = args && args.clientSecret;
        var id = intentIdOf(clientSecret);
        if (!id)
          return Promise.resolve({
            error: { type: "invalid_request_error", message: "Invalid value for handleNextAction: clientSecret." },
          });
        return call(publishableKey, "GET", "/v1/payment_intents/" + id, { client_secret: clientSecret }).then(
          function (found) {
            if (found.error) return { error: found.error };
            if (found.object.status !== "requires_action")
              return {
                error: {
                  type: "invalid_request_error",
                  code: "payment_intent_unexpected_state",
                  message: "This PaymentIntent does not require an action.",
                  payment_intent: found.object,
                },
              };
            return challenge().then(function (outcome) {
              return call(publishableKey, "POST", "/v1/3ds2/authenticate", {
                payment_intent: id,
                client_secret: clientSecret,
                outcome: outcome,
              }).then(function (answered) {
                if (answered.error) return { error: answered.error };
                var intent = answered.object;
                if (intent.status === "succeeded" || intent.status === "processing") return { paymentIntent: intent };
                return {
                  error: {
                    type: "invalid_request_error",
                    code: "payment_intent_authentication_failure",
                    message:
                      "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
                    payment_intent: intent,
                  },
                };
              });
            });
          },
        );
      },
      createToken: function () {
        return unsupported("createToken");
      },
      confirmPayment: function () {
        return unsupported("confirmPayment");
      },
      confirmCardPayment: function () {
        return unsupported("confirmCardPayment");
      },
    };
    return stripe;
  }
  // The release @stripe/stripe-js 10 expects (it warns about another one with a test key).
  Stripe.version = "endive";
  window.Stripe = Stripe;
})();
`;
