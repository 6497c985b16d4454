import { randomBytes } from "node:crypto";
import { domainToASCII } from "node:url";
import { encodeWords, foldLines, hasLongerLines, isPlainText } from "nodemailer/lib/mime-funcs";
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from "nodemailer/lib/qp";

/**
 * An email as the bytes SMTP carries (RFC 5322 with MIME), composed in one pass from strings:
 * the text, and the HTML as its alternative. nodemailer composes the same message through a tree
 * of nodes and a chain of streams per email, which cost more than the sending; given the message
 * whole (`raw`) it only sends it. Headers are encoded and folded, and bodies encoded, with
 * nodemailer's own functions, as it would have.
 */

export interface MimeMessage {
  /** The whole `From` header value, as configured (`Shop <no-reply@shop.test>`), already encoded. */
  from: string;
  to: string;
  subject: string;
  messageId: string;
  text: string;
  html?: string | null;
}

/**
 * Boundaries: a prefix drawn once per process, which no content can foresee, and a counter (a
 * random draw per email cost more than composing it).
 */
const boundaryPrefix = `--_commerce_${randomBytes(9).toString("hex")}_`;
let boundaries = 0;

/** One line, whatever a value carries: a line break in a header would start another header. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

/** An address for a header: its domain in ASCII (punycode) when it is not. */
function addressHeaderValue(address: string): string {
  if (isPlainText(address)) return address;
  const at = address.lastIndexOf("@");
  return at < 0
    ? address
    : `${address.slice(0, at + 1)}${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`;
}

function header(name: string, value: string): string {
  return foldLines(`${name}: ${value}`, 76);
}

/** A body part: 7bit when it is plain ASCII in short lines, else quoted-printable (UTF-8). */
function part(type: "text/plain" | "text/html", content: string): string {
  const body = content.replace(/\r?\n/g, "\r\n");
  if (isPlainText(body) && !hasLongerLines(body, 76)) {
    return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${body}`;
  }
  return (
    `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n` +
    wrapQuotedPrintable(encodeQuotedPrintable(body), 76)
  );
}

/** The message, with CRLF line breaks, ending with one. */
export function composeMimeMessage(message: MimeMessage, date: Date = new Date()): string {
  const headers = [
    `From: ${oneLine(message.from)}`,
    header("To", addressHeaderValue(oneLine(message.to))),
    header("Subject", encodeWords(oneLine(message.subject), "Q", 52)),
    `Message-ID: ${oneLine(message.messageId)}`,
    `Date: ${date.toUTCString().replace(/GMT/, "+0000")}`,
    "MIME-Version: 1.0",
  ];
  if (!message.html) return `${headers.join("\r\n")}\r\n${part("text/plain", message.text)}\r\n`;
  boundaries = (boundaries + 1) % Number.MAX_SAFE_INTEGER;
  const boundary = `${boundaryPrefix}${boundaries.toString(36)}`;
  return (
    `${headers.join("\r\n")}\r\nContent-Type: multipart/alternative;\r\n boundary="${boundary}"\r\n\r\n` +
    `--${boundary}\r\n${part("text/plain", message.text)}\r\n` +
    `--${boundary}\r\n${part("text/html", message.html)}\r\n` +
    `--${boundary}--\r\n`
  );
}
