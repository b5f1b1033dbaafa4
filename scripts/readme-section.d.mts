export function readSection(text: string, name: string): string;
export function replaceSection(text: string, name: string, content: string): string;
