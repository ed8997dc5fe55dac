import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import './assets/main.css';
import { createStudioRouter } from './router/index';

createApp(App).use(createPinia()).use(createStudioRouter()).mount('#app');
