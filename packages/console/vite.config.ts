import { defineConfig } from "vite";
import { consoleViteConfig } from "./src/console-ui.js";

// `vite build` here bundles the page into dist/ui, as buildConsoleUi does from code.
export default defineConfig(consoleViteConfig());
