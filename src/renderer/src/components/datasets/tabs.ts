/** The tabs of the Datasets view's lower panel. */
export type DatasetTab = 'images' | 'report' | 'preview';
