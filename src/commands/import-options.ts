/** The options of `recouvre import`, as commander gives them, whatever the file turns out to be. */
export interface ImportOptions {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly ignorerErreurs?: boolean;
  readonly accepterModifications?: boolean;
  readonly listeComplete?: boolean;
  readonly encodage?: string;
  readonly separateur?: string;
  readonly decimale?: string;
  readonly formatDate?: string;
  readonly colonne?: readonly string[];
  readonly sansEntete?: boolean;
  readonly profil?: string;
  readonly enregistrerProfil?: string;
  readonly delaiPaiement?: number;
  readonly type?: string;
}
