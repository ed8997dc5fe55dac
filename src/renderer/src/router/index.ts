import { createRouter, createWebHashHistory, type RouteRecordRaw, type Router } from 'vue-router';

/** The five views, in sidebar order. Hash history works under file:// (Electron) and over HTTP (serve). */
const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/datasets' },
  {
    path: '/datasets',
    name: 'datasets',
    component: () => import('../views/DatasetsView.vue'),
    meta: { title: 'Datasets' },
  },
  { path: '/train', name: 'train', component: () => import('../views/TrainView.vue'), meta: { title: 'Train' } },
  { path: '/runs', name: 'runs', component: () => import('../views/RunsView.vue'), meta: { title: 'Runs' } },
  {
    path: '/generate',
    name: 'generate',
    component: () => import('../views/GenerateView.vue'),
    meta: { title: 'Generate' },
  },
  { path: '/export', name: 'export', component: () => import('../views/ExportView.vue'), meta: { title: 'Export' } },
  { path: '/:pathMatch(.*)*', redirect: '/datasets' },
];

export function createStudioRouter(): Router {
  return createRouter({ history: createWebHashHistory(), routes });
}
