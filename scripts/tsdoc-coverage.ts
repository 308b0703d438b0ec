// Which public declarations lack a TSDoc comment: every export of the given entry files, and every public member
// of exported classes and interfaces (members inherited from an un-exported base count too, since users see
// them). The properties of zod schema variables are not members and are not checked: the schema documents them.
import ts from "typescript";

/** One public declaration without a doc comment. */
export interface UndocumentedDeclaration {
  /** The source file of the declaration, as the compiler names it. */
  file: string;
  /** 1-based line of the declaration's name. */
  line: number;
  /** The export's name, or `Owner.member` for a member (`Owner.constructor` for a constructor). */
  name: string;
}

// Member kinds that are written as class or interface members (not object-literal properties of a schema).
const memberKinds = new Set([
  ts.SyntaxKind.PropertySignature,
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.MethodSignature,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.Parameter,
]);

function hasOwnDoc(decl: ts.Node): boolean {
  return ts
    .getJSDocCommentsAndTags(decl)
    .some((doc) => (ts.isJSDoc(doc) ? Boolean(doc.comment) || (doc.tags?.length ?? 0) > 0 : true));
}

function isPublic(decl: ts.Declaration): boolean {
  const name = ts.getNameOfDeclaration(decl);
  if (name && ts.isPrivateIdentifier(name)) return false;
  return (ts.getCombinedModifierFlags(decl) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
}

/**
 * The undocumented public declarations reachable from `entryFiles` (files of `program`), sorted by file and line.
 * Declarations in `.d.ts` files (node_modules, lib) are not ours to document and are skipped.
 */
export function undocumentedDeclarations(
  program: ts.Program,
  entryFiles: readonly string[],
): UndocumentedDeclaration[] {
  const checker = program.getTypeChecker();
  const found = new Map<string, UndocumentedDeclaration>();

  const report = (decl: ts.Node, name: string) => {
    const source = decl.getSourceFile();
    if (source.isDeclarationFile) return;
    const at = ts.getNameOfDeclaration(decl as ts.Declaration) ?? decl;
    const line = source.getLineAndCharacterOfPosition(at.getStart(source)).line + 1;
    found.set(`${source.fileName}:${line} ${name}`, { file: source.fileName, line, name });
  };

  const checkMembers = (owner: string, type: ts.Type, skip: ReadonlySet<string> = new Set()) => {
    for (const member of checker.getPropertiesOfType(type)) {
      if (skip.has(member.name)) continue;
      const decls = (member.declarations ?? []).filter((d) => memberKinds.has(d.kind));
      if (decls.length === 0 || !decls.every(isPublic)) continue;
      // The compiler's documentation includes what a member inherits from the base or interface it implements.
      if (member.getDocumentationComment(checker).length > 0 || decls.some(hasOwnDoc)) continue;
      report(decls[0]!, `${owner}.${member.name}`);
    }
  };

  const checkExport = (name: string, symbol: ts.Symbol) => {
    const decls = symbol.declarations ?? [];
    if (decls.some(ts.isSourceFile)) return; // `export * as ns`: its members are checked where they are declared
    // A name can be a value and a type at once (a zod schema and its inferred type): each needs its doc.
    const groups = [decls.filter((d) => !isTypeOnly(d)), decls.filter(isTypeOnly)];
    for (const group of groups) {
      if (group.length > 0 && !group.some(hasOwnDoc)) report(group[0]!, name);
    }
    if (symbol.flags & ts.SymbolFlags.Class) {
      const instance = checker.getDeclaredTypeOfSymbol(symbol);
      checkMembers(name, instance);
      checkMembers(name, checker.getTypeOfSymbol(symbol), new Set(["prototype"]));
      for (const signature of checker.getTypeOfSymbol(symbol).getConstructSignatures()) {
        const ctor = signature.getDeclaration() as ts.SignatureDeclaration | undefined;
        if (!ctor || !ts.isConstructorDeclaration(ctor) || ctor.parameters.length === 0 || !isPublic(ctor))
          continue;
        // An inherited constructor is named after the class that declares it, so it is reported once.
        if (!hasOwnDoc(ctor)) report(ctor, `${ctor.parent.name?.text ?? name}.constructor`);
      }
    } else if (symbol.flags & ts.SymbolFlags.Interface) {
      checkMembers(name, checker.getDeclaredTypeOfSymbol(symbol));
    }
  };

  for (const file of entryFiles) {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${file} is not a module of the program`);
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      checkExport(exported.name, symbol);
    }
  }
  return [...found.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function isTypeOnly(decl: ts.Declaration): boolean {
  return ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl);
}
