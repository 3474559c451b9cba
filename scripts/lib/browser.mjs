// Launches Debian's Chromium through playwright-core (never `playwright install`: it downloads a browser).
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { ensureDebPackages } from './codeServer.mjs';

/** Flags that keep Chromium from reaching for the internet on these closed machines. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Path of a Chromium build to drive, installing Debian's when missing (as root). */
export function chromiumPath() {
  const candidates = [
    process.env.SOCKET_LAB_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ].filter(Boolean);
  let found = candidates.find((p) => fs.existsSync(p));
  if (!found && process.platform === 'linux') {
    ensureDebPackages(['chromium']);
    found = candidates.find((p) => fs.existsSync(p));
  }
  if (!found)
    throw new Error(
      "No Chromium found: install Debian's chromium or set SOCKET_LAB_CHROMIUM to a Chrome/Chromium binary.",
    );
  return found;
}

/** Launches headless Chromium. */
export async function launchBrowser(options = {}) {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS, ...options });
}
