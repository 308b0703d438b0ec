import { render } from "preact";
import { App } from "./app.js";
import "./styles.css";

render(<App source={new EventSource("./events")} />, document.getElementById("app")!);
