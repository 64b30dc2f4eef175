// A small browser terminal for the game. It connects back to the server that
// served this page over a websocket, asking for the "telnet" subprotocol (raw
// telnet bytes, so the server can switch echo off for passwords) or, failing
// that, "ascii" (plain text).
"use strict";

(function () {
  const IAC = 255;
  const DONT = 254;
  const DO = 253;
  const WONT = 252;
  const WILL = 251;
  const SB = 250;
  const SE = 240;
  const OPT_ECHO = 1;

  const MAX_OUTPUT_CHARS = 300000;

  const output = document.getElementById("output");
  const scroller = output.parentElement;
  const input = document.getElementById("input");
  const form = document.getElementById("command-line");
  const status = document.getElementById("status");
  const reconnectButton = document.getElementById("reconnect");

  const encoder = new TextEncoder();
  let decoder = new TextDecoder("utf-8");
  let socket = null;
  let mode = "telnet";
  // Telnet parsing state: "data", "iac", "option", "sb" or "sb-iac".
  let telnetState = "data";
  let telnetVerb = 0;
  // Whether the server has taken over echoing (it does for passwords).
  let serverEchoes = false;
  // The end of the last chunk when it stopped inside an ANSI escape.
  let pendingEscape = "";
  const history = [];
  let historyIndex = 0;

  function setStatus(text, kind) {
    status.textContent = text;
    status.className = "status" + (kind ? " " + kind : "");
  }

  function setHidden(hidden) {
    input.type = hidden ? "password" : "text";
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  }

  // Colours and cursor movement are not shown: escapes are dropped.
  function stripEscapes(text) {
    text = pendingEscape + text;
    pendingEscape = "";
    const cut = text.search(/\x1b(\[[0-9;?]*)?$/);
    if (cut !== -1) {
      pendingEscape = text.slice(cut);
      text = text.slice(0, cut);
    }
    return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
  }

  function show(text) {
    if (!text) {
      return;
    }
    const follow = nearBottom();
    output.append(text);
    if (output.textContent.length > MAX_OUTPUT_CHARS) {
      output.textContent = output.textContent.slice(-MAX_OUTPUT_CHARS / 2);
    }
    if (follow) {
      scroller.scrollTop = scroller.scrollHeight;
    }
    if (mode === "ascii") {
      // Without telnet there is no echo negotiation: guess from the prompt.
      setHidden(/password[^\n]*:\s*$/i.test(output.textContent.slice(-200)));
    }
  }

  function showBytes(bytes) {
    show(stripEscapes(decoder.decode(new Uint8Array(bytes), { stream: true })));
  }

  function sendBytes(bytes) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(new Uint8Array(bytes));
    }
  }

  // The answer to one negotiation: the client only accepts that the server
  // echoes, and refuses every other option.
  function negotiate(verb, option) {
    if (option === OPT_ECHO && (verb === WILL || verb === WONT)) {
      const echoes = verb === WILL;
      if (echoes !== serverEchoes) {
        serverEchoes = echoes;
        setHidden(echoes);
        sendBytes([IAC, echoes ? DO : DONT, OPT_ECHO]);
      }
      return;
    }
    if (verb === WILL) {
      sendBytes([IAC, DONT, option]);
    } else if (verb === DO) {
      sendBytes([IAC, WONT, option]);
    }
  }

  function receiveTelnet(data) {
    const text = [];
    for (const byte of data) {
      switch (telnetState) {
        case "data":
          if (byte === IAC) {
            telnetState = "iac";
          } else {
            text.push(byte);
          }
          break;
        case "iac":
          if (byte === IAC) {
            text.push(IAC);
            telnetState = "data";
          } else if (byte >= WILL && byte <= DONT) {
            telnetVerb = byte;
            telnetState = "option";
          } else if (byte === SB) {
            telnetState = "sb";
          } else {
            // Two-byte commands (GA, NOP, ...) carry nothing to show.
            telnetState = "data";
          }
          break;
        case "option":
          showBytes(text.splice(0));
          negotiate(telnetVerb, byte);
          telnetState = "data";
          break;
        case "sb":
          if (byte === IAC) {
            telnetState = "sb-iac";
          }
          break;
        case "sb-iac":
          telnetState = byte === SE ? "data" : "sb";
          break;
      }
    }
    showBytes(text);
  }

  function receive(event) {
    if (typeof event.data === "string") {
      show(stripEscapes(event.data));
      return;
    }
    const data = new Uint8Array(event.data);
    if (mode === "telnet") {
      receiveTelnet(data);
    } else {
      showBytes(data);
    }
  }

  function serverUrl() {
    if (location.protocol === "http:" || location.protocol === "https:") {
      return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/";
    }
    return "ws://127.0.0.1:4001/";
  }

  function connect() {
    reconnectButton.hidden = true;
    setStatus("connecting…");
    decoder = new TextDecoder("utf-8");
    telnetState = "data";
    serverEchoes = false;
    pendingEscape = "";
    setHidden(false);

    socket = new WebSocket(serverUrl(), ["telnet", "ascii"]);
    socket.binaryType = "arraybuffer";
    socket.onopen = function () {
      mode = socket.protocol === "ascii" ? "ascii" : "telnet";
      setStatus("connected (" + mode + ")", "connected");
      input.focus();
    };
    socket.onmessage = receive;
    socket.onclose = function () {
      setStatus("disconnected", "closed");
      show("\n[Connection closed]\n");
      setHidden(false);
      reconnectButton.hidden = false;
    };
    socket.onerror = function () {
      setStatus("connection error", "closed");
    };
  }

  function sendLine(line) {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return;
    }
    if (mode === "telnet") {
      socket.send(encoder.encode(line + "\r\n"));
    } else {
      socket.send(line + "\n");
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const line = input.value;
    const hidden = input.type === "password";
    input.value = "";
    if (!hidden) {
      show(line + "\n");
      if (line !== "" && history[history.length - 1] !== line) {
        history.push(line);
      }
      historyIndex = history.length;
    }
    sendLine(line);
  });

  input.addEventListener("keydown", function (event) {
    if (input.type === "password" || history.length === 0) {
      return;
    }
    if (event.key === "ArrowUp") {
      historyIndex = Math.max(0, historyIndex - 1);
    } else if (event.key === "ArrowDown") {
      historyIndex = Math.min(history.length, historyIndex + 1);
    } else {
      return;
    }
    event.preventDefault();
    input.value = history[historyIndex] || "";
  });

  scroller.addEventListener("click", function () {
    if (!window.getSelection().toString()) {
      input.focus();
    }
  });

  reconnectButton.addEventListener("click", connect);
  connect();
})();
