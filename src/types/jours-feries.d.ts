declare module '@socialgouv/jours-feries' {
  /** Public holidays of a year, by French name, as local-time Dates. */
  export default function joursFeries(year: number, options?: { alsace?: boolean }): Record<string, Date>;
}
