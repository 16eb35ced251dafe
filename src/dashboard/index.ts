// The local dashboard of `huddle run --http`: the page and its live event stream.
export { DashboardHub, type DashboardOptions } from './dashboardHub.js';
export { dashboardPage, type DashboardPage } from './dashboardPage.js';
export { chartDefs, chartSvg, layoutChart, MAIN_FLOW, type ChartLayout, type PlacedState } from './chartSvg.js';
