// MixtureExplorer: drag the initial means, change K and the covariance type, and watch
// EM refit (anywidget entry point).
import "./mixture_explorer.css";
import { MixtureExplorerView } from "./mixture_explorer/view.js";

export default {
  render({ model, el }) {
    const view = new MixtureExplorerView(model, el);
    return () => view.destroy();
  },
};
