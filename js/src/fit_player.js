// FitPlayer: an EM fit animated in the browser (anywidget entry point).
import "./fit_player.css";
import { FitPlayerView } from "./fit_player/view.js";

export default {
  render({ model, el }) {
    const view = new FitPlayerView(model, el);
    return () => view.destroy();
  },
};
