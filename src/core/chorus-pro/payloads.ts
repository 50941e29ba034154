/**
 * The responses of Chorus Pro's « Structures » API (v1), as its API description defines
 * them: the same names, every field optional but `codeRetour` and `libelle`. The
 * renderers fill what the library knows and leave out the rest (never `null`: the API
 * description types no field as nullable); docs/chorus-pro.md lists what is left out and why.
 */
import type {
  chorusProAccess,
  chorusProAttachmentStatus,
  chorusProIdentifierType,
  chorusProServiceStatus,
  chorusProSpaceStatus,
  chorusProStructureKind,
  chorusProStructureStatus,
} from "./codes.js";

/** `typeIdentifiantStructure`. */
export type TypeIdentifiantStructure = (typeof chorusProIdentifierType)["codes"][number];
/** `typeStructure`, `structurePriveePublique`. */
export type TypeStructure = (typeof chorusProStructureKind)["codes"][number];
/** `statutRattachement`. */
export type StatutRattachement = (typeof chorusProAttachmentStatus)["codes"][number];
/** `typeHabilitation`. */
export type TypeHabilitation = (typeof chorusProAccess)["codes"][number];
/** `etatCourant`. */
export type EtatCourant = (typeof chorusProSpaceStatus)["codes"][number];
/** `StructureAAfficher.statut`. */
export type StatutStructureAffichee = (typeof chorusProStructureStatus)["codes"][number];
/** `ServiceExpose.statutService` as the library writes it. */
export type StatutService = (typeof chorusProServiceStatus)["codes"][number];

/** What every response starts with. */
export interface ChorusProEnvelope {
  /** 0 on success. */
  readonly codeRetour: number;
  /** The message code (`TRA_MSG_00.000` on success). */
  readonly libelle: string;
}

/** `ParametresRetour`: where a page stands. */
export interface ParametresRetour {
  nbResultatsParPage?: number;
  pageCourante?: number;
  pages?: number;
  total?: number;
}

/** `AdressePostale` (the library keeps no address for a structure or a service). */
export interface AdressePostale {
  adresse?: string;
  codePostal?: string;
  complementAdresse1?: string;
  complementAdresse2?: string;
  fax?: string;
  indicatifFax?: string;
  indicatifTelephone?: string;
  pays?: string;
  telephone?: string;
  ville?: string;
}

// ------------------------------------------------------------------ /v1/rechercher

/** `StructureAAfficher`: one structure found. */
export interface StructureAAfficher {
  designationStructure?: string;
  idStructureCPP?: number;
  identifiantStructure?: string;
  statut?: StatutStructureAffichee;
  typeIdentifiantStructure?: TypeIdentifiantStructure;
}

/** `WsRetourRechercherStructure`: the response of `/v1/rechercher`. */
export interface WsRetourRechercherStructure extends ChorusProEnvelope {
  listeStructures?: StructureAAfficher[];
  parametresRetour?: ParametresRetour;
}

// ------------------------------------------------------------------- /v1/consulter

/** `StructureDupliquee`. */
export interface StructureDupliquee {
  structureDupliquee?: number;
}

/** `InformationsGeneralesStructureCompleteTVAIntraCom`: a structure's general information. */
export interface InformationsGeneralesStructureCompleteTVAIntraCom {
  dateExpirationMotPasseCompteTech?: string;
  emailStructure?: string;
  estValideurDeleguee?: boolean;
  idStructureCPP?: number;
  idStructureOrigine?: number;
  identifiantStructure?: string;
  libelleStructure?: string;
  listeStructureDupliquees?: StructureDupliquee[];
  nomStructure?: string;
  numeroRcsStructure?: string;
  numeroTVA?: string;
  prenomStructure?: string;
  raisonSocialeStructure?: string;
  structurePriveePublique?: TypeStructure;
  typeIdentifiantStructure?: TypeIdentifiantStructure;
}

/** `ParamModifierStructure`: a structure's invoicing settings (none kept by the library). */
export interface ParamModifierStructure {
  codeServiceDoitEtreRenseigne?: boolean;
  connexionEDI?: boolean;
  estMoaUniquement?: boolean;
  estValideurDelegue?: boolean;
  gestionNumeroEJOuCodeService?: boolean;
  getaMoa?: boolean;
  nonDiffusibleInsee?: boolean;
  numeroEJDoitEtreRenseigne?: boolean;
  recevoirDonneesViaEDI?: boolean;
  statutMiseEnPaiementNestPasRemonte?: boolean;
}

/** `WsRetourConsulterStructureTVAIntraCom`: the response of `/v1/consulter`. */
export interface WsRetourConsulterStructureTVAIntraCom extends ChorusProEnvelope {
  adressePostaleDuSiege?: AdressePostale;
  informationGenerales?: InformationsGeneralesStructureCompleteTVAIntraCom;
  parametres?: ParamModifierStructure;
}

// ----------------------------------------------------------- /v1/consulter/service

/** `ParamModifierServiceInfoGeneral`: a service's general information. */
export interface ParamModifierServiceInfoGeneral {
  codeService?: string;
  descriptionService?: string;
  nomService?: string;
}

/** `ParamParametre`: a service's dates and invoicing settings. */
export interface ParamParametre {
  dateCreation?: string;
  dateDebutValidite?: string;
  dateFinValidite?: string;
  dateModification?: string;
  miseEnPaiement?: boolean;
  numeroEngagement?: boolean;
}

/** `WsRetourConsulterServiceStructure`: the response of `/v1/consulter/service`. */
export interface WsRetourConsulterServiceStructure extends ChorusProEnvelope {
  adressePostale?: AdressePostale;
  informationsGenerales?: ParamModifierServiceInfoGeneral;
  nbResultatsParPage?: number;
  pageCourante?: number;
  pages?: number;
  parametres?: ParamParametre;
  total?: number;
}

// -------------------------------------------------------- /v1/rechercher/services

/** `ServiceExpose`: one service of a structure. */
export interface ServiceExpose {
  codeService?: string;
  estActif?: boolean;
  idService?: number;
  libelleService?: string;
  statutService?: string;
}

/** `WsRetourRechercherServicesStructure`: the response of `/v1/rechercher/services`. */
export interface WsRetourRechercherServicesStructure extends ChorusProEnvelope {
  listeServices?: ServiceExpose[];
  parametresRetour?: ParametresRetour;
}

// ------------------------------------------------ /v1/lister/rattachementsutilisateur

/** `ServiceOutputListerRattachementsStructureUtilisateur`: one row of a user's attachment. */
export interface ServiceOutputListerRattachementsStructureUtilisateur {
  codeService?: string;
  commentaire?: string;
  dateDebut?: string;
  dateFin?: string;
  idRattachement?: number;
  idService?: number;
  nomService?: string;
  statutRattachement?: StatutRattachement;
}

/** `WsRetourListerRattachementsStructureUtilisateur`: the response of `/v1/lister/rattachementsutilisateur`. */
export interface WsRetourListerRattachementsStructureUtilisateur extends ChorusProEnvelope {
  designationStructure?: string;
  idStructure?: number;
  identifiantStructure?: string;
  listeServices?: ServiceOutputListerRattachementsStructureUtilisateur[];
  parametresRetour?: ParametresRetour;
  premierService?: boolean;
}

// --------------------------------------------------------- /v1/rechercher/espaces

/** `WsRetourEspaceFoServiceSxp`: one space a user holds. */
export interface WsRetourEspaceFoServiceSxp {
  codeEspace?: number;
  codeService?: string;
  etatCourant?: EtatCourant;
  idEspaceFo?: number;
  idService?: number;
  libelleEspace?: string;
  libelleService?: string;
  typeHabilitation?: TypeHabilitation;
}

/** `WsRetourRechercherEspacesFo`: the response of `/v1/rechercher/espaces`. */
export interface WsRetourRechercherEspacesFo extends ChorusProEnvelope {
  listeEspace?: WsRetourEspaceFoServiceSxp[];
  parametresRetour?: ParametresRetour;
}
