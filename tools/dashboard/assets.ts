/**
 * The page's terminal, served by the dashboard itself (no CDN): xterm.js and
 * its fit addon from npm (`@xterm/xterm`, `@xterm/addon-fit`), imported as
 * text and answered at `/assets/...` with a long cache lifetime (the URL
 * carries the package version).
 *
 * @module
 */
import xtermJs from "@xterm/xterm/lib/xterm.js" with { type: "text" };
import xtermCss from "@xterm/xterm/css/xterm.css" with { type: "text" };
import fitJs from "@xterm/addon-fit/lib/addon-fit.js" with { type: "text" };

/** A static file the app serves. */
export interface Asset {
  /** Its `Content-Type`. */
  readonly type: string;
  /** Its text. */
  readonly body: string;
}

/** The assets by URL path. */
export const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ["/assets/xterm.js", { type: "text/javascript; charset=utf-8", body: xtermJs }],
  ["/assets/xterm.css", { type: "text/css; charset=utf-8", body: xtermCss }],
  ["/assets/addon-fit.js", { type: "text/javascript; charset=utf-8", body: fitJs }],
]);
