import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vitest/config';

const backend = 'http://127.0.0.1:8080';
const outDir = resolve(import.meta.dirname, 'dist');

// The Go binary embeds dist/ with `//go:embed all:dist`, which needs the folder to exist before
// the first build: dist/.gitkeep is committed, and every build puts it back after emptying dist/.
function keepDist(): Plugin {
  return {
    name: 'peerpath-keep-dist',
    apply: 'build',
    closeBundle() {
      writeFileSync(resolve(outDir, '.gitkeep'), '');
    },
  };
}

export default defineConfig({
  plugins: [react(), keepDist()],
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/readyz': backend,
    },
  },
  build: {
    outDir,
    emptyOutDir: true,
    // Everything ships as files: no inline scripts or styles, so a strict CSP holds.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test-setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
