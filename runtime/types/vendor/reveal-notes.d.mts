export { default } from "reveal.js/plugin/notes";
