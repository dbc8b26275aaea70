export { default } from "reveal.js";
