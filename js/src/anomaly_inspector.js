// AnomalyInspector: a log-density threshold tuned by eye (anywidget entry point).
import "./anomaly_inspector.css";
import { AnomalyInspectorView } from "./anomaly_inspector/view.js";

export default {
  render({ model, el }) {
    const view = new AnomalyInspectorView(model, el);
    return () => view.destroy();
  },
};
