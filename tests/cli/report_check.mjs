// Checks for tests/cli/report.sh that the shell cannot do: decoding a browser's screenshot (PNG,
// 8-bit RGB or RGBA, any filter) to see that the page was drawn, and strict UTF-8.
// Prints TAP lines without numbers ("ok - …" / "not ok - …") for tap_merge; exits 0.
//   node report_check.mjs png SCREENSHOT.png light|dark
//   node report_check.mjs utf8 FILE
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { inflateSync } from 'node:zlib';

const tap = (ok, what) => console.log(`${ok ? 'ok' : 'not ok'} - ${what}`);

function decodePng(buf) {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length < 8 || sig.some((b, i) => buf[i] !== b)) throw new Error('not a PNG');
  let off = 8, width = 0, height = 0, depth = 0, type = 0, interlace = 0;
  const idat = [];
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32BE(off), kind = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8];
      type = data[9];
      interlace = data[12];
    } else if (kind === 'IDAT') {
      idat.push(data);
    } else if (kind === 'IEND') {
      break;
    }
    off += 12 + len;
  }
  if (depth !== 8 || (type !== 2 && type !== 6) || interlace !== 0) {
    throw new Error(`unsupported PNG: depth ${depth}, colour type ${type}, interlace ${interlace}`);
  }
  const bpp = type === 6 ? 4 : 3, stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== height * (stride + 1)) throw new Error('PNG data has the wrong size');
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], src = y * (stride + 1) + 1, dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[dst + x - bpp] : 0;
      const b = y > 0 ? px[dst - stride + x] : 0;
      const c = x >= bpp && y > 0 ? px[dst - stride + x - bpp] : 0;
      let v = raw[src + x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw new Error(`bad filter ${f}`);
      px[dst + x] = v & 0xff;
    }
  }
  return { width, height, bpp, px };
}

function checkPng(file, scheme) {
  let img;
  try {
    img = decodePng(readFileSync(file));
  } catch (e) {
    tap(false, `screenshot ${file} decodes: ${e.message}`);
    return;
  }
  const { width, height, bpp, px } = img;
  const n = width * height, bg = [px[0], px[1], px[2]];
  const colours = new Set();
  let differ = 0;
  for (let i = 0; i < n; i++) {
    const r = px[i * bpp], g = px[i * bpp + 1], b = px[i * bpp + 2];
    colours.add((r << 16) | (g << 8) | b);
    if (Math.abs(r - bg[0]) + Math.abs(g - bg[1]) + Math.abs(b - bg[2]) > 30) differ++;
  }
  // The palette of lib/et_html.c: succeeded, failed, the p50 bar; light and dark variants.
  const palette = scheme === 'dark'
    ? { succeeded: [0x3f, 0xb9, 0x50], failed: [0xf8, 0x51, 0x49], p50: [0x44, 0x93, 0xf8] }
    : { succeeded: [0x2d, 0xa4, 0x4e], failed: [0xcf, 0x22, 0x2e], p50: [0x09, 0x69, 0xda] };
  const found = {};
  for (const [name, [r0, g0, b0]] of Object.entries(palette)) {
    found[name] = 0;
    for (let i = 0; i < n; i++) {
      if (Math.abs(px[i * bpp] - r0) <= 8 && Math.abs(px[i * bpp + 1] - g0) <= 8 &&
          Math.abs(px[i * bpp + 2] - b0) <= 8) found[name]++;
    }
  }
  const lum = 0.2126 * bg[0] + 0.7152 * bg[1] + 0.0722 * bg[2];
  const share = (100 * differ / n).toFixed(1);
  tap(colours.size >= 16, `${scheme} screenshot is not blank: ${colours.size} distinct colours`);
  tap(differ / n > 0.02, `${scheme} screenshot: ${share}% of ${width}x${height} pixels are not background`);
  tap(scheme === 'dark' ? lum < 60 : lum > 200,
    `${scheme} screenshot: the background follows the colour scheme (rgb ${bg.join(',')})`);
  for (const [name, count] of Object.entries(found)) {
    tap(count >= 200, `${scheme} screenshot: the SVG charts are drawn in their colours: ${count} pixels of the ${name} colour`);
  }
}

function checkUtf8(file) {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
    tap(true, `${basename(file)} is valid UTF-8`);
  } catch (e) {
    tap(false, `${basename(file)} is valid UTF-8: ${e.message}`);
  }
}

const [mode, file, scheme] = process.argv.slice(2);
if (mode === 'png') checkPng(file, scheme === 'dark' ? 'dark' : 'light');
else if (mode === 'utf8') checkUtf8(file);
else tap(false, `report_check.mjs: unknown mode '${mode}'`);
