// ModelSelector: BIC/AIC/ICL against K for each covariance type; click a point to see
// that model over the data (anywidget entry point).
import "./model_selector.css";
import { ModelSelectorView } from "./model_selector/view.js";

export default {
  render({ model, el }) {
    const view = new ModelSelectorView(model, el);
    return () => view.destroy();
  },
};
