import { testCatalogTemplate } from "./template";

testCatalogTemplate("starter-environment");
