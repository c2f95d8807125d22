// The widgets import their stylesheets for esbuild, which bundles them into
// gmm_widgets/static/<widget>.css; for the type check they are modules with no exports.
declare module "*.css";
